// Runtime: wiring shared by the front doors, and one reconcile pass over every group.

import { hostname } from "node:os";
import { AcmPort } from "../aws/acm.ts";
import { CallStats, type FaultInjector } from "../aws/call-layer.ts";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../aws/clients.ts";
import { Ec2Port } from "../aws/ec2.ts";
import { Elbv2Port } from "../aws/elbv2.ts";
import { Route53Port } from "../aws/route53.ts";
import { Wafv2Port } from "../aws/wafv2.ts";
import type { Settings } from "../config/settings.ts";
import { KubePort, type KubeSnapshot, loadKubeConfig } from "../kube/kube-port.ts";
import { type AwsPorts, type ClusterInventory, observeCluster } from "../observe/observe-aws.ts";
import type { ClusterSettings } from "../reconcile/build-group-state.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";
import { type ReconcileDeps, reconcileGroup } from "../reconcile/reconcile-group.ts";
import { EventDeduper } from "../report/report-group.ts";
import { collectGroups } from "../sources/ingress/groups/collect-groups.ts";

/** A wired Gannet: ports, counters and settings. */
export interface Runtime {
  readonly settings: Settings;
  readonly kube: KubePort;
  readonly aws: AwsPorts;
  readonly clients: AwsClients;
  readonly stats: CallStats;
  readonly dedupe: EventDeduper;
  close(): void;
}

/** Raised when the environment cannot serve Gannet (no subnets, unreachable servers). */
export class RuntimeError extends Error {
  override readonly name = "RuntimeError";
}

/** Hooks a front door adds to the runtime. */
export interface RuntimeHooks {
  /** Runs before every AWS attempt and may refuse it (the controller's leader fence). */
  readonly beforeAwsCall?: FaultInjector;
  /** Replaces the kubeconfig-based Kubernetes port (the Lambda's IAM token). */
  readonly kube?: KubePort;
}

/** Wires clients and ports from settings. */
export function createRuntime(
  settings: Settings,
  stats: CallStats = new CallStats(),
  hooks: RuntimeHooks = {},
): Runtime {
  const clients = createAwsClients(
    { region: settings.region, ...(settings.awsEndpoint ? { endpoint: settings.awsEndpoint } : {}) },
    { stats, ...(hooks.beforeAwsCall ? { faults: hooks.beforeAwsCall } : {}) },
  );
  return {
    settings,
    kube: hooks.kube ?? new KubePort(loadKubeConfig(settings.kubeconfig)),
    aws: {
      elbv2: new Elbv2Port(clients.elbv2),
      ec2: new Ec2Port(clients.ec2),
      acm: new AcmPort(clients.acm),
      route53: new Route53Port(clients.route53),
      wafv2: new Wafv2Port(clients.wafv2),
    },
    clients,
    stats,
    dedupe: new EventDeduper(),
    close: () => destroyAwsClients(clients),
  };
}

/** The VPC to use: the configured one, else the only VPC with ELB-tagged subnets. */
export async function resolveVpcId(rt: Runtime): Promise<string> {
  if (rt.settings.vpcId) return rt.settings.vpcId;
  const subnets = await rt.aws.ec2.listElbSubnets(undefined);
  const vpcs = [...new Set(subnets.map((s) => s.vpcId))].sort();
  if (vpcs.length === 1 && vpcs[0]) return vpcs[0];
  if (vpcs.length === 0) {
    throw new RuntimeError(
      "no subnet is tagged kubernetes.io/role/elb or kubernetes.io/role/internal-elb: tag your ALB subnets, or pass --vpc-id",
    );
  }
  throw new RuntimeError(
    `subnets of several VPCs carry ELB role tags (${vpcs.join(", ")}): pass --vpc-id to choose one`,
  );
}

/** Options of one pass. */
export interface PassOptions {
  readonly dryRun?: boolean;
  /** Only these groups; all when absent. */
  readonly groups?: ReadonlySet<string>;
  readonly onOutcome?: (o: ReconcileOutcome) => void;
  /**
   * Deep-verify a group (read its AWS state even when its fingerprint says converged). Default true:
   * `reconcile` and `plan` always look; the controller verifies each group now and then.
   */
  readonly verify?: boolean | ((group: string) => boolean);
  /** The Kubernetes objects to use instead of listing them (the controller's informer caches). */
  readonly snapshot?: KubeSnapshot;
  /** The AWS inventory to use instead of reading it (the controller shares one between reconciles). */
  readonly inventory?: ClusterInventory;
  /** Where Kubernetes writes go instead of `rt.kube` (the controller fences and counts them). */
  readonly kube?: ReconcileDeps["kube"];
}

/** Runs a reconcile of every group (or the chosen ones), a few at a time. */
export async function runPass(
  rt: Runtime,
  vpcId: string,
  opts: PassOptions = {},
): Promise<ReconcileOutcome[]> {
  const [full, inventory] = await Promise.all([
    opts.snapshot ?? rt.kube.readSnapshot(),
    opts.inventory ?? observeCluster(rt.aws, rt.settings.cluster, vpcId),
  ]);
  // --namespace: group every Ingress first, then keep the groups wholly inside the namespace (a
  // shared group reaching into other namespaces is left to an unscoped controller, never cut short).
  const snapshot = full;
  const ns = rt.settings.namespace;
  const collected = collectGroups(snapshot).filter(
    (g) => !ns || [...g.members, ...g.leaving].every((m) => m.metadata.namespace === ns),
  );
  const todo = collected.filter((g) => !opts.groups || opts.groups.has(g.group));
  const deps: ReconcileDeps = {
    aws: rt.aws,
    kube: opts.kube ?? rt.kube,
    settings: clusterSettings(rt.settings, vpcId),
    dedupe: rt.dedupe,
    instance: hostname(),
  };
  const outcomes: ReconcileOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const members = todo[next++];
      if (!members) break;
      const verify = typeof opts.verify === "function" ? opts.verify(members.group) : (opts.verify ?? true);
      const outcome = await reconcileGroup({ members, snapshot, inventory }, deps, {
        verify,
        ...(opts.dryRun ? { dryRun: true } : {}),
      }).catch((err: unknown) => failedOutcome(members.group, err));
      outcomes.push(outcome);
      opts.onOutcome?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(rt.settings.concurrency, todo.length) }, worker));
  return outcomes.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** The reconcile settings of a runtime's settings and VPC. */
export function clusterSettings(s: Settings, vpcId: string): ClusterSettings {
  return {
    cluster: s.cluster,
    vpcId,
    registry: {
      ownerId: s.ownerId,
      policy: s.dnsPolicy,
      ...(s.txtPrefix ? { txtPrefix: s.txtPrefix } : {}),
      ...(s.txtSuffix ? { txtSuffix: s.txtSuffix } : {}),
    },
    dnsFilters: { domainFilters: s.domainFilters, zoneIdFilters: s.zoneIdFilters },
  };
}

function failedOutcome(group: string, err: unknown): ReconcileOutcome {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return {
    group,
    desired: { group, members: [], listeners: [], targetGroups: [], problems: [] },
    planned: [],
    applied: [],
    disposition: { action: "retry" },
    error: message,
    calls: {},
  };
}
