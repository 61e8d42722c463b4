// Child process of `npm run bench`: a real `gannet controller` replica standing by (the bench
// holds the Lease), so its process holds exactly the informer caches, indexes and queue of the
// cluster. Prints one JSON line with its memory once the caches are filled, then stops.
// Environment: GANNET_KUBECONFIG, AWS_ENDPOINT_URL, BENCH_LEASE_NAMESPACE, BENCH_LEASE_NAME.

import { loadSettings } from "../src/config/settings.ts";
import { Controller } from "../src/runtime/controller.ts";
import { createLogger } from "../src/runtime/log.ts";

const settings = loadSettings({ cluster: "bench-cache", awsEndpoint: process.env.AWS_ENDPOINT_URL });
const controller = new Controller(
  settings,
  {
    resyncMs: 600_000,
    verifyMs: 1_800_000,
    leaderElection: true,
    leaseNamespace: process.env.BENCH_LEASE_NAMESPACE ?? "default",
    leaseName: process.env.BENCH_LEASE_NAME ?? "bench-cache",
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    logLevel: "warn",
    shutdownTimeoutMs: 1_000,
  },
  {
    logger: createLogger("warn"),
    // Scoped to no group: even if it ever led, this replica would reconcile nothing.
    groups: new Set<string>(),
    ...(process.env.BENCH_PAGE_SIZE ? { informers: { pageSize: Number(process.env.BENCH_PAGE_SIZE) } } : {}),
  },
);
const mib = (n: number) => Math.round(n / 1048576);
const memory = () => {
  const m = process.memoryUsage();
  return {
    rss: mib(m.rss),
    heap_total: mib(m.heapTotal),
    heap_used: mib(m.heapUsed),
    external: mib(m.external),
    array_buffers: mib(m.arrayBuffers),
  };
};
const atStart = memory();
const t0 = performance.now();
await controller.start();
const syncSeconds = (performance.now() - t0) / 1000;
global.gc?.();
const mem = process.memoryUsage();
console.log(
  JSON.stringify({
    cached: controller.cache.counts(),
    groups: controller.cache.groups().length,
    leader: controller.isLeader(),
    sync_seconds: Number(syncSeconds.toFixed(2)),
    at_start_mib: atStart,
    after_sync_mib: memory(),
    rss_mib: Math.round(mem.rss / 1048576),
    heap_used_mib: Math.round(mem.heapUsed / 1048576),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await controller.stop({ release: false });
process.exit(0);
