// `npm run bench`: converge figures on the real testbed (figures, not assertions).
// Builds a fresh synthetic cluster (its own namespace and cluster name), then measures:
//   converge from empty, a no-op resync, one path added (through the running controller), peak RSS;
// and, first, the Lambda bundle's size and cold init time (scripts/lambda-figures.ts).
// BENCH_ONLY=lambda prints the Lambda figures alone (no testbed needed).

import { randomBytes } from "node:crypto";
import { DescribeListenersCommand, DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CoreV1Api, DiscoveryV1Api, NetworkingV1Api, type V1Ingress } from "@kubernetes/client-node";
import { CallStats } from "../src/aws/call-layer.ts";
import { loadSettings } from "../src/config/settings.ts";
import { applyManifests, readManifests } from "../src/kube/apply-manifests.ts";
import { loadKubeConfig } from "../src/kube/kube-port.ts";
import { runController } from "../src/runtime/controller.ts";
import { createRuntime, resolveVpcId, runPass } from "../src/runtime/pass.ts";
import { startTestbed } from "../src/runtime/testbed.ts";
import { lambdaFigures } from "./lambda-figures.ts";

const GROUPS = Number(process.env.BENCH_GROUPS ?? 50);
const PER_GROUP = 4;
const SERVICES = 100;
const ENDPOINTS = 2000;

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
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  await applyManifests(kc, readManifests(new URL("../deploy/ingress-class", import.meta.url).pathname));
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const perService = ENDPOINTS / SERVICES;
  for (let s = 0; s < SERVICES; s++) {
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: `svc-${s}` },
        spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      },
    });
    await discovery.createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: { name: `svc-${s}-a`, labels: { "kubernetes.io/service-name": `svc-${s}` } },
        addressType: "IPv4",
        endpoints: Array.from({ length: perService }, (_, e) => ({
          addresses: [`10.${100 + Math.floor(s / 200)}.${s % 200}.${e + 1}`],
          conditions: { ready: true },
        })),
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
    });
  }
  for (let g = 0; g < GROUPS; g++)
    for (let i = 0; i < PER_GROUP; i++)
      await networking.createNamespacedIngress({ namespace, body: ingress(g, i) });
  console.log(
    `bench: ${GROUPS * PER_GROUP} Ingresses in ${GROUPS} groups, ${SERVICES} Services, ${ENDPOINTS} ready endpoints in ${namespace}`,
  );

  const stats = new CallStats();
  const rt = createRuntime(settings, stats);
  const vpcId = await resolveVpcId(rt);

  // Only this run's groups: other Ingresses in a shared testbed are not part of the figures.
  const groups = new Set(Array.from({ length: GROUPS }, (_, g) => `bench-${suffix}-${g}`));
  let t0 = performance.now();
  let before = stats.snapshot();
  const converge = await runPass(rt, vpcId, { groups });
  const convergeSeconds = (performance.now() - t0) / 1000;
  const created = converge.flatMap((o) => o.applied).filter((c) => c.kind.startsWith("create")).length;
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

  // One path added, through the running controller: from the Kubernetes write to the rule in AWS.
  const stop = new AbortController();
  const controllerStats = new CallStats();
  let firstPass: () => void = () => {};
  const ready = new Promise<void>((r) => {
    firstPass = r;
  });
  const controller = runController(settings, {
    signal: stop.signal,
    log: () => {},
    onOutcome: () => {},
    stats: controllerStats,
    groups,
    onPass: () => firstPass(),
  });
  await ready;
  const target = ingress(0, 0);
  const paths = target.spec?.rules?.[0]?.http?.paths ?? [];
  paths.push({
    path: "/bench-added",
    pathType: "Exact",
    backend: { service: { name: "svc-0", port: { number: 80 } } },
  });
  const lbArn = await findLoadBalancerArn(rt, `bench-${suffix}-0`);
  const listenerArn = (await rt.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })))
    .Listeners?.[0]?.ListenerArn;
  before = controllerStats.snapshot();
  const current = await networking.readNamespacedIngress({ name: "ing-0-0", namespace });
  t0 = performance.now();
  await networking.replaceNamespacedIngress({
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
  for (;;) {
    const rules = await rt.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    if (
      rules.Rules?.some((r) =>
        r.Conditions?.some((c) => c.PathPatternConfig?.Values?.includes("/bench-added")),
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  line("add_path_seconds", Number(((performance.now() - t0) / 1000).toFixed(2)));
  await new Promise((r) => setTimeout(r, 500));
  line("add_path_mutating_calls", controllerStats.totals(before).mutating);
  stop.abort();
  await controller;
  line("peak_rss_mib", Math.round(process.resourceUsage().maxRSS / 1024));

  // Clean up: delete the Ingresses and let a pass remove their AWS resources.
  await networking.deleteCollectionNamespacedIngress({ namespace });
  const cleanup = await runPass(rt, vpcId, { groups });
  line("cleanup_failed_groups", cleanup.filter((o) => o.error).length);
  rt.close();
  console.log(`bench-summary: ${JSON.stringify(figures)}`);
}

async function findLoadBalancerArn(rt: ReturnType<typeof createRuntime>, group: string): Promise<string> {
  const lbs = await rt.aws.elbv2.listLoadBalancers();
  const lb = lbs.find((l) => l.tags["gannet.io/cluster"] === cluster && l.tags["gannet.io/group"] === group);
  if (!lb) throw new Error(`no ALB for group ${group}`);
  return lb.arn;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
