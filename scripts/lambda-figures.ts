// Lambda figures for `npm run bench` (figures, not assertions): the bundle's size, and its cold init
// time: a fresh Node process importing the bundle (copied alone to an empty directory, as Lambda
// unpacks it) and building the handler's dependencies (settings, AWS clients, token source, Kubernetes
// client), with the endpoint configured so no network call is timed. Runnable on its own:
// `node scripts/lambda-figures.ts`.

import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleLambda } from "./bundle-lambda.ts";

const INIT_SCRIPT = `
const t0 = performance.now();
const m = await import("./index.mjs");
const t1 = performance.now();
await m.handler.prepare();
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, prepareMs: t2 - t1, initMs: t2 - t0, processMs: t2 }));
process.exit(0);
`;

/** One cold start's timings, in milliseconds. */
interface ColdInit {
  readonly importMs: number;
  readonly prepareMs: number;
  readonly initMs: number;
  /** Since the process started: Node's own start-up included. */
  readonly processMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Bundles, then starts `runs` fresh processes on the bundle; returns the figures. */
export async function lambdaFigures(runs = 7): Promise<Record<string, number>> {
  const { file, bytes } = await bundleLambda();
  const dir = mkdtempSync(join(tmpdir(), "gannet-lambda-init-"));
  copyFileSync(file, join(dir, "index.mjs"));
  writeFileSync(join(dir, "init.mjs"), INIT_SCRIPT);
  const env = {
    PATH: process.env.PATH ?? "",
    GANNET_CLUSTER_NAME: "bench",
    GANNET_EKS_ENDPOINT: "https://127.0.0.1:1",
    GANNET_EKS_CA_DATA: Buffer.from("-----BEGIN CERTIFICATE-----\n").toString("base64"),
    AWS_REGION: "us-east-1",
  };
  const samples: ColdInit[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const { stdout } = await promisify(execFile)(process.execPath, ["init.mjs"], { cwd: dir, env });
      samples.push(JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as ColdInit);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const round = (n: number) => Math.round(n);
  return {
    lambda_bundle_bytes: bytes,
    lambda_bundle_mib: Number((bytes / 1024 / 1024).toFixed(2)),
    lambda_cold_init_ms_median: round(median(samples.map((s) => s.initMs))),
    lambda_cold_import_ms_median: round(median(samples.map((s) => s.importMs))),
    lambda_cold_prepare_ms_median: round(median(samples.map((s) => s.prepareMs))),
    lambda_cold_process_ms_median: round(median(samples.map((s) => s.processMs))),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [k, v] of Object.entries(await lambdaFigures())) console.log(`${k}: ${v}`);
}
