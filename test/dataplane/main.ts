// Emulated ALB data plane: the command. Serves every ALB of the AWS endpoint (LocalStack) until stopped.
// Settings (environment): see README.md.

import { homedir } from "node:os";
import { join } from "node:path";
import { adminPort, startAdmin } from "./admin.ts";
import { Dataplane } from "./dataplane.ts";

const env = process.env;
const state = env.GANNET_STATE ?? join(env.GANNET_CACHE ?? join(homedir(), ".cache", "gannet"), "state");
const prefix = env.GANNET_DATAPLANE_ALB_PREFIX;
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

const dataplane = new Dataplane({
  endpoint: env.AWS_ENDPOINT_URL ?? "http://127.0.0.1:4566",
  region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
  pollMs: Number(env.GANNET_DATAPLANE_POLL_MS ?? "1000"),
  coldMs: Number(env.GANNET_DATAPLANE_COLD_POLL_MS ?? "5000"),
  hotWindowMs: Number(env.GANNET_DATAPLANE_HOT_WINDOW_MS ?? "30000"),
  coldCallsPerSecond: Number(env.GANNET_DATAPLANE_COLD_CALLS_PER_S ?? "10"),
  timeScale: Number(env.GANNET_DATAPLANE_TIME_SCALE ?? "1"),
  addressOffset: 0,
  certDir: join(state, "dataplane", "certs"),
  ...(prefix ? { filter: (name: string) => name.startsWith(prefix) } : {}),
  settingsKey: env.GANNET_DATAPLANE_SETTINGS_KEY ?? "",
  log,
});

// A test data plane keeps serving what it can: one bad request or answer must not take every listener down.
process.on("uncaughtException", (err) => log(`uncaught: ${err.stack ?? err.message}`));

const admin = await startAdmin(
  Number(env.GANNET_DATAPLANE_ADMIN_PORT ?? "4580"),
  () => dataplane.status(),
  (dnsName) => dataplane.follow(dnsName),
);
await dataplane.start();
log(`dataplane: admin http://127.0.0.1:${adminPort(admin)}`);

const stop = async () => {
  await dataplane.stop();
  admin.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
