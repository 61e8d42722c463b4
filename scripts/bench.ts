// `npm run bench`: converge figures on the real testbed (figures, not assertions).
// Builds a fresh synthetic cluster (its own namespace and cluster name), then measures:
//   converge from empty, a no-op resync; then with the in-cluster controller (two replicas sharing
//   a Lease): one path added, Kubernetes-write-to-AWS latency (p50/p95), failover after the leader
//   dies; peak RSS; and, in a child process, a standby replica's memory with 5,000 Ingresses and
//   50,000 endpoints in its informer caches.
// And, first, the Lambda bundle's size and cold init time (scripts/lambda-figures.ts).
// BENCH_ONLY=lambda prints the Lambda figures alone (no testbed needed).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  NetworkingV1Api,
  type V1EndpointSlice,
  type V1Ingress,
} from "@kubernetes/client-node";
import { build } from "esbuild";
import { CallStats } from "../src/aws/call-layer.ts";
import type { ControllerSettings } from "../src/config/controller-settings.ts";
import { loadSettings, type Settings } from "../src/config/settings.ts";
import { applyManifests, readManifests } from "../src/kube/apply-manifests.ts";
import { loadKubeConfig } from "../src/kube/kube-port.ts";
import { LeaderElector } from "../src/kube/leader-election.ts";
import { LeaseLock } from "../src/kube/lease.ts";
import { Controller } from "../src/runtime/controller.ts";
import { createLogger } from "../src/runtime/log.ts";
import { createRuntime, resolveVpcId, runPass } from "../src/runtime/pass.ts";
import { startTestbed } from "../src/runtime/testbed.ts";
import { lambdaFigures } from "./lambda-figures.ts";

const GROUPS = Number(process.env.BENCH_GROUPS ?? 50);
const PER_GROUP = 4;
const SERVICES = 100;
const ENDPOINTS = 2000;
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 20);
const CACHE_INGRESSES = Number(process.env.BENCH_CACHE_INGRESSES ?? 5000);
const CACHE_ENDPOINTS = Number(process.env.BENCH_CACHE_ENDPOINTS ?? 50_000);
const CACHE_PER_SLICE = 50;

const suffix = randomBytes(3).toString("hex");
const namespace = `bench-${suffix}`;
const cluster = `bench-${suffix}`;
const figures: Record<string, unknown> = {
  groups: GROUPS,
  ingresses: GROUPS * PER_GROUP,
  endpoints: ENDPOINTS,
};

function line(name: string, value: unknown): void {
  figures[name] = value;
  console.log(`${name}: ${typeof value === "object" ? JSON.stringify(value) : value}`);
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(3));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function ingress(g: number, i: number): V1Ingress {
  const svc = (k: number) => `svc-${(g * PER_GROUP * 2 + k) % SERVICES}`;
  return {
    metadata: {
      name: `ing-${g}-${i}`,
      annotations: {
        "alb.ingress.kubernetes.io/group.name": `bench-${suffix}-${g}`,
        "alb.ingress.kubernetes.io/group.order": String(i),
      },
    },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host: `h${i}.g${g}.gannet.example.com`,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: svc(i * 2), port: { number: 80 } } },
              },
              {
                path: "/api",
                pathType: "Prefix",
                backend: { service: { name: svc(i * 2 + 1), port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

function slice(name: string, service: string, ips: readonly string[]): V1EndpointSlice {
  return {
    metadata: { name, labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  };
}

/** Runs `fn` over `items`, `limit` at a time. */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

interface Clients {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly networking: NetworkingV1Api;
}

async function buildCluster(c: Clients): Promise<void> {
  await applyManifests(c.kc, readManifests(new URL("../deploy/ingress-class", import.meta.url).pathname));
  await c.core.createNamespace({ body: { metadata: { name: namespace } } });
  const perService = ENDPOINTS / SERVICES;
  await forEachLimit([...Array(SERVICES).keys()], 8, async (s) => {
    await c.core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: `svc-${s}` },
        spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      },
    });
    const ips = Array.from(
      { length: perService },
      (_, e) => `10.${100 + Math.floor(s / 200)}.${s % 200}.${e + 1}`,
    );
    await c.discovery.createNamespacedEndpointSlice({
      namespace,
      body: slice(`svc-${s}-a`, `svc-${s}`, ips),
    });
  });
  const all = Array.from({ length: GROUPS * PER_GROUP }, (_, k) =>
    ingress(Math.floor(k / PER_GROUP), k % PER_GROUP),
  );
  await forEachLimit(all, 8, (body) => c.networking.createNamespacedIngress({ namespace, body }));
  console.log(
    `bench: ${GROUPS * PER_GROUP} Ingresses in ${GROUPS} groups, ${SERVICES} Services, ${ENDPOINTS} ready endpoints in ${namespace}`,
  );
}

async function main(): Promise<void> {
  // Before the testbed and the synthetic cluster load the machine: cold starts are timed on a quiet one.
  for (const [name, value] of Object.entries(await lambdaFigures())) line(name, value);
  if (process.env.BENCH_ONLY === "lambda") {
    console.log(`bench-summary: ${JSON.stringify(figures)}`);
    return;
  }
  const testbed = await startTestbed();
  console.log(testbed.description);
  const settings = loadSettings({
    cluster,
    kubeconfig: testbed.kubeconfig,
    awsEndpoint: testbed.awsEndpoint,
    concurrency: 8,
  });
  const kc = loadKubeConfig(settings.kubeconfig);
  const c: Clients = {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
  };
  // BENCH_PHASES=cache measures only the standby replica's memory (faster to iterate on).
  const phases = new Set((process.env.BENCH_PHASES ?? "converge,controller,cache").split(","));
  if (!phases.has("converge")) {
    if (phases.has("cache")) await cacheFigures(c, testbed);
    console.log(`bench-summary: ${JSON.stringify(figures)}`);
    return;
  }
  await buildCluster(c);

  const stats = new CallStats();
  const rt = createRuntime(settings, stats);
  const vpcId = await resolveVpcId(rt);

  // Only this run's groups: other Ingresses in a shared testbed are not part of the figures.
  const groups = new Set(Array.from({ length: GROUPS }, (_, g) => `bench-${suffix}-${g}`));
  let t0 = performance.now();
  let before = stats.snapshot();
  const converge = await runPass(rt, vpcId, { groups });
  const convergeSeconds = (performance.now() - t0) / 1000;
  const created = converge.flatMap((o) => o.applied).filter((ch) => ch.kind.startsWith("create")).length;
  const convergeTotals = stats.totals(before);
  line("converge_seconds", Number(convergeSeconds.toFixed(2)));
  line("converge_failed_groups", converge.filter((o) => o.error).length);
  line("converge_calls_by_operation", stats.since(before));
  line("converge_calls_total", convergeTotals.calls);
  line("converge_resources_created", created);
  line("converge_mutating_per_resource", Number((convergeTotals.mutating / Math.max(1, created)).toFixed(2)));

  before = stats.snapshot();
  t0 = performance.now();
  // A resync as the controller runs it: groups whose ALB fingerprint matches are not read again.
  const noop = await runPass(rt, vpcId, { groups, verify: false });
  const noopTotals = stats.totals(before);
  line("noop_seconds", Number(((performance.now() - t0) / 1000).toFixed(2)));
  line("noop_mutating_calls", noopTotals.mutating);
  line("noop_read_calls_per_group", Number((noopTotals.reads / Math.max(1, noop.length)).toFixed(2)));
  line("noop_calls_by_operation", stats.since(before));

  if (phases.has("controller")) await controllerFigures(settings, c, rt, groups);
  line("peak_rss_mib", Math.round(process.resourceUsage().maxRSS / 1024));

  // Clean up: delete the Ingresses and let a pass remove their AWS resources.
  await c.networking.deleteCollectionNamespacedIngress({ namespace });
  const cleanup = await runPass(rt, vpcId, { groups });
  line("cleanup_failed_groups", cleanup.filter((o) => o.error).length);
  rt.close();

  if (phases.has("cache")) await cacheFigures(c, testbed);
  console.log(`bench-summary: ${JSON.stringify(figures)}`);
}

/** The in-cluster controller: two replicas on one Lease (production timings), scoped to the bench's groups. */
async function controllerFigures(
  settings: Settings,
  c: Clients,
  rt: ReturnType<typeof createRuntime>,
  groups: ReadonlySet<string>,
): Promise<void> {
  const cs: ControllerSettings = {
    resyncMs: 600_000,
    verifyMs: 1_800_000,
    leaderElection: true,
    leaseNamespace: namespace,
    leaseName: "gannet-leader",
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    logLevel: "warn",
    shutdownTimeoutMs: 10_000,
  };
  const logger = createLogger(process.env.BENCH_LOG ?? "silent");
  const replica = (identity: string, stats: CallStats) =>
    new Controller(settings, cs, { logger, groups, identity, stats });
  const statsA = new CallStats();
  const a = replica("replica-a", statsA);
  let t0 = performance.now();
  await a.start();
  await until(() => a.isLeader());
  const idle = () => a.isIdle();
  await until(idle);
  line("controller_start_seconds", seconds(performance.now() - t0));
  line("controller_start_calls", statsA.totals());
  const b = replica("replica-b", new CallStats());
  await b.start();

  // One path added: from the Kubernetes write to the rule in AWS.
  const target = ingress(0, 0);
  target.spec?.rules?.[0]?.http?.paths.push({
    path: "/bench-added",
    pathType: "Exact",
    backend: { service: { name: "svc-0", port: { number: 80 } } },
  });
  const lbArn = await findLoadBalancerArn(rt, `bench-${suffix}-0`);
  const listenerArn = (await rt.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })))
    .Listeners?.[0]?.ListenerArn;
  let before = statsA.snapshot();
  const current = await c.networking.readNamespacedIngress({ name: "ing-0-0", namespace });
  t0 = performance.now();
  await c.networking.replaceNamespacedIngress({
    name: "ing-0-0",
    namespace,
    body: {
      ...target,
      metadata: {
        ...target.metadata,
        namespace,
        resourceVersion: current.metadata?.resourceVersion ?? "",
        finalizers: current.metadata?.finalizers ?? [],
      },
    },
  });
  await until(async () => {
    const rules = await rt.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    return rules.Rules?.some((r) =>
      r.Conditions?.some((k) => k.PathPatternConfig?.Values?.includes("/bench-added")),
    );
  }, 20);
  line("add_path_seconds", seconds(performance.now() - t0));
  await until(idle);
  line("add_path_mutating_calls", statsA.totals(before).mutating);

  // Kubernetes write (an EndpointSlice gains a pod) to the target registered in AWS.
  const tgArn = await findTargetGroupArn(rt, `bench-${suffix}-0`, "/svc-0:");
  const baseIps = Array.from({ length: ENDPOINTS / SERVICES }, (_, e) => `10.100.0.${e + 1}`);
  const latencies: number[] = [];
  before = statsA.snapshot();
  for (let n = 0; n < LATENCY_SAMPLES; n++) {
    const ip = `10.250.${Math.floor(n / 200)}.${(n % 200) + 1}`;
    const cur = await c.discovery.readNamespacedEndpointSlice({ name: "svc-0-a", namespace });
    const body = slice("svc-0-a", "svc-0", [...baseIps, ip]);
    t0 = performance.now();
    await c.discovery.replaceNamespacedEndpointSlice({
      name: "svc-0-a",
      namespace,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion ?? "" } },
    });
    await until(async () => (await targetIds(rt, tgArn)).includes(ip), 10);
    latencies.push(performance.now() - t0);
    await until(idle);
  }
  line("endpoint_to_target_p50_seconds", seconds(percentile(latencies, 50)));
  line("endpoint_to_target_p95_seconds", seconds(percentile(latencies, 95)));
  line("endpoint_to_target_samples", latencies.length);
  line(
    "endpoint_change_calls_per_sample",
    Number((statsA.totals(before).calls / LATENCY_SAMPLES).toFixed(1)),
  );
  line("endpoint_change_calls_by_operation", statsA.since(before));

  // Failover: the leader dies without releasing the Lease; a change made meanwhile must converge.
  await a.stop({ release: false });
  const crashed = performance.now();
  const ip = "10.251.0.1";
  const cur = await c.discovery.readNamespacedEndpointSlice({ name: "svc-0-a", namespace });
  const body = slice("svc-0-a", "svc-0", [...baseIps, ip]);
  await c.discovery.replaceNamespacedEndpointSlice({
    name: "svc-0-a",
    namespace,
    body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion ?? "" } },
  });
  await until(() => b.isLeader(), 50);
  line("failover_lease_taken_seconds", seconds(performance.now() - crashed));
  await until(async () => (await targetIds(rt, tgArn)).includes(ip), 20);
  line("failover_converged_seconds", seconds(performance.now() - crashed));
  line("failover_lease_duration_seconds", cs.leaseDurationMs / 1000);
  await b.stop();
}

/** A standby replica's memory with CACHE_INGRESSES Ingresses and CACHE_ENDPOINTS endpoints cached. */
async function cacheFigures(c: Clients, testbed: { kubeconfig: string; awsEndpoint: string }): Promise<void> {
  const ns = `${namespace}-cache`;
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  // Another controller's class: no Gannet anywhere acts on these, the caches still hold them.
  const ingressClass = `bench-cache-${suffix}`;
  await c.networking.createIngressClass({
    body: { metadata: { name: ingressClass }, spec: { controller: "example.com/bench-cache-only" } },
  });
  const slices = CACHE_ENDPOINTS / CACHE_PER_SLICE;
  const t0 = performance.now();
  await forEachLimit([...Array(slices).keys()], 16, async (s) => {
    await c.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: `svc-${s}` },
        spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      },
    });
    const ips = Array.from(
      { length: CACHE_PER_SLICE },
      (_, e) => `10.${Math.floor(s / 250)}.${s % 250}.${e + 1}`,
    );
    await c.discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: slice(`svc-${s}-a`, `svc-${s}`, ips),
    });
  });
  await forEachLimit([...Array(CACHE_INGRESSES).keys()], 16, (i) => {
    const body = ingress(i, 0);
    return c.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        ...body,
        metadata: { ...body.metadata, name: `cache-${i}` },
        spec: { ...body.spec, ingressClassName: ingressClass },
      },
    });
  });
  console.log(
    `bench: ${CACHE_INGRESSES} Ingresses, ${slices} Services and EndpointSlices with ${CACHE_ENDPOINTS} endpoints in ${ns} (${seconds(performance.now() - t0)} s to create)`,
  );
  // The bench holds the Lease, so the child replica only fills its caches and stands by.
  const holder = new LeaderElector(new LeaseLock(c.kc, { namespace: ns, name: "bench-cache" }), "bench", {
    leaseDurationMs: 600_000,
    renewDeadlineMs: 500_000,
    retryPeriodMs: 10_000,
  });
  await holder.tryAcquireOrRenew();
  const env = {
    ...process.env,
    GANNET_KUBECONFIG: testbed.kubeconfig,
    AWS_ENDPOINT_URL: testbed.awsEndpoint,
    BENCH_LEASE_NAMESPACE: ns,
    BENCH_LEASE_NAME: "bench-cache",
  };
  const source = fileURLToPath(new URL("./bench-cache.ts", import.meta.url));
  // As the image runs it: bundled, with the Dockerfile's memory settings.
  const bundled = join(mkdtempSync(join(tmpdir(), "gannet-bench-")), "bench-cache.mjs");
  await build({
    entryPoints: [source],
    outfile: bundled,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    minify: true,
    banner: {
      js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
    },
    logLevel: "warning",
  });
  line(
    "cache_standby_image",
    await runChild(bundled, { ...env, MALLOC_ARENA_MAX: "2", NODE_OPTIONS: "--max-semi-space-size=2" }),
  );
  line("cache_standby_sources", await runChild(source, env));
  await holder.release();
  if (process.env.BENCH_KEEP_CACHE_OBJECTS === "1") return;
  await c.networking.deleteCollectionNamespacedIngress({ namespace: ns });
  await c.discovery.deleteCollectionNamespacedEndpointSlice({ namespace: ns });
  await c.core.deleteCollectionNamespacedService({ namespace: ns });
  await c.networking.deleteIngressClass({ name: ingressClass });
}

function runChild(script: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", script], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last));
      else reject(new Error(`bench-cache exited ${code}: ${out}`));
    });
  });
}

async function until(
  probe: () => boolean | undefined | Promise<boolean | undefined>,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("bench: a step did not finish within 2 minutes");
    await sleep(everyMs);
  }
}

async function targetIds(rt: ReturnType<typeof createRuntime>, tgArn: string): Promise<string[]> {
  const res = await rt.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return (res.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? "");
}

async function findLoadBalancerArn(rt: ReturnType<typeof createRuntime>, group: string): Promise<string> {
  const lbs = await rt.aws.elbv2.listLoadBalancers();
  const lb = lbs.find((l) => l.tags["gannet.io/cluster"] === cluster && l.tags["gannet.io/group"] === group);
  if (!lb) throw new Error(`no ALB for group ${group}`);
  return lb.arn;
}

async function findTargetGroupArn(
  rt: ReturnType<typeof createRuntime>,
  group: string,
  keyPart: string,
): Promise<string> {
  const tgs = await rt.aws.elbv2.listTargetGroups();
  const tg = tgs.find(
    (t) =>
      t.tags["gannet.io/cluster"] === cluster &&
      t.tags["gannet.io/group"] === group &&
      t.key.includes(keyPart),
  );
  if (!tg) throw new Error(`no target group ${keyPart} for group ${group}`);
  return tg.arn;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
