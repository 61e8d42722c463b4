// Runtime: `gannet dev`, the README's run command. Starts or reuses the testbed, installs Gannet's
// IngressClass and the examples, then runs the controller in the foreground until Ctrl-C.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadControllerSettings } from "../config/controller-settings.ts";
import { loadSettings, type RawSettings } from "../config/settings.ts";
import { applyManifests, readManifests } from "../kube/apply-manifests.ts";
import { loadKubeConfig } from "../kube/kube-port.ts";
import { runController } from "./controller.ts";
import { formatOutcome } from "./format.ts";
import { createLogger } from "./log.ts";
import { startTestbed } from "./testbed.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Runs the local development loop; resolves to the exit code. */
export async function runDev(flags: RawSettings, opts: { readonly examples: boolean }): Promise<number> {
  const quiet = process.env.CI === "true";
  // The scripts' own kubeconfig:/aws-endpoint: lines are printed once, below.
  const testbed = await startTestbed({
    onLine: (l) => (quiet || /^(kubeconfig|aws-endpoint):/.test(l) ? undefined : console.log(l)),
  });
  console.log(testbed.description);
  console.log(`kubeconfig: ${testbed.kubeconfig}`);
  console.log(`aws-endpoint: ${testbed.awsEndpoint}`);
  const dataplane = printDataplaneLines(testbed.dataplane);
  const settings = loadSettings({
    cluster: "gannet-dev",
    ...flags,
    awsEndpoint: flags.awsEndpoint ?? testbed.awsEndpoint,
    kubeconfig: flags.kubeconfig ?? testbed.kubeconfig,
  });
  const config = loadKubeConfig(settings.kubeconfig);
  await applyManifests(config, readManifests(join(root, "deploy", "ingress-class")));
  if (opts.examples) {
    const objects = readManifests(join(root, "examples"));
    await applyManifests(config, objects);
    console.log(`applied ${objects.length} example object(s) from examples/`);
  }
  console.log(
    `controller: cluster ${settings.cluster}, watching ${config.getCurrentCluster()?.server}; Ctrl-C stops`,
  );
  // One replica on a laptop: no Lease, no HTTP port; one line per group that changed, and warnings.
  try {
    return await runController(
      settings,
      loadControllerSettings({ leaderElect: false, metricsBindAddress: "0" }),
      {
        logger: createLogger("warn"),
        onOutcome: (o) => {
          if (o.applied.length || o.other?.length || o.error) console.log(formatOutcome(o));
        },
      },
    );
  } finally {
    dataplane.stop();
  }
}

/** One listener of the data plane's admin JSON (test/dataplane/admin.ts). */
interface DataplaneListener {
  readonly dnsName: string;
  readonly port: number;
  readonly url: string;
}

/**
 * Prints `dataplane: <ALB DNS name>:<listener port> -> <local URL>` once for each listener the emulated ALB
 * data plane serves, as they appear (it follows LocalStack within seconds of an apply).
 */
function printDataplaneLines(admin: string): { stop(): void } {
  const printed = new Set<string>();
  const poll = async () => {
    const res = await fetch(`${admin}/status`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (!res?.ok) return;
    const { listeners } = (await res.json()) as { listeners: DataplaneListener[] };
    for (const l of listeners) {
      const line = `dataplane: ${l.dnsName}:${l.port} -> ${l.url}`;
      if (!printed.has(line)) console.log(line);
      printed.add(line);
    }
  };
  const timer = setInterval(() => void poll(), 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
