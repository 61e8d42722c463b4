// The pipeline of one Ingress group: observe -> build the desired model -> plan -> apply -> report.
// Level-based: it re-reads what it needs, never depends on what woke it, and a second run of an
// unchanged group makes no AWS change.

import { ApplyError, applyPlan } from "../apply/apply-plan.ts";
import { classifyAwsError, type Disposition } from "../apply/errors.ts";
import { CallStats, withCallScope } from "../aws/call-layer.ts";
import type { KubeSnapshot } from "../kube/kube-port.ts";
import type { DesiredGroup, GroupKey, Problem } from "../model/desired.ts";
import { type HostedZone, zoneContainsHost } from "../model/dns/dns-records.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { isOwnedBy, type Owner, TAG } from "../model/ownership.ts";
import { objectKey } from "../model/problems.ts";
import {
  type CertificateChoice,
  type CertificateSummary,
  validationRecordsNeeded,
} from "../model/tls/certificates.ts";
import {
  type AwsPorts,
  type ClusterInventory,
  lookUpSecurityGroups,
  observeGroup,
} from "../observe/observe-aws.ts";
import {
  type CertificateChange,
  describeCertificateChange,
  validationRecordsToKeep,
} from "../plan/certificate-planner.ts";
import type { Change } from "../plan/changes.ts";
import { planGroup } from "../plan/plan-group.ts";
import type { RegistrySettings } from "../plan/record-planner.ts";
import { type EventDeduper, type ReportSink, reportGroup } from "../report/report-group.ts";
import { buildDesiredGroup, type CurrentLoadBalancer } from "../sources/ingress/build-group.ts";
import type { GroupMembers } from "../sources/ingress/groups/collect-groups.ts";
import { buildGroupFinalizer } from "../sources/ingress/groups/finalizers.ts";
import { hostsOfIngress } from "../sources/ingress/hosts/hostnames.ts";
import { securityGroupEntriesOf } from "../sources/ingress/settings/security-group-entries.ts";
import {
  chooseGroupCertificates,
  deleteUnusedCertificates,
  planCertificateDeletions,
  requestCertificates,
} from "./certificate-stage.ts";
import { type DnsStageInput, type DnsStageResult, reconcileDns } from "./dns-stage.ts";
import { computeStateHash, isConverged, StateTag } from "./state-tag.ts";

/** Settings of one Gannet installation. */
export interface ClusterSettings {
  readonly cluster: string;
  readonly vpcId: string;
  readonly registry: RegistrySettings;
  readonly dnsFilters: {
    readonly domainFilters: readonly string[];
    readonly zoneIdFilters: readonly string[];
  };
}

/** The Kubernetes writes a reconcile makes besides reporting. */
export interface FinalizerSink {
  addFinalizer(ingress: Ingress, finalizer: string): Promise<void>;
  removeFinalizer(ingress: Ingress, finalizer: string): Promise<void>;
}

/** Everything a reconcile needs, wired by a front door. */
export interface ReconcileDeps {
  readonly aws: AwsPorts;
  readonly kube: ReportSink & FinalizerSink;
  readonly settings: ClusterSettings;
  readonly dedupe: EventDeduper;
  readonly instance: string;
}

/** The outcome of one group's reconcile, mapped to a queue action by the front door. */
export interface ReconcileOutcome {
  readonly group: GroupKey;
  readonly desired: DesiredGroup;
  readonly planned: readonly Change[];
  readonly applied: readonly Change[];
  /** Certificate and DNS changes made, one line each. */
  readonly other?: readonly string[];
  /** Records the group manages (`A host`), and the certificates its HTTPS listeners serve. */
  readonly records?: readonly string[];
  readonly certificates?: readonly string[];
  /** Every problem found: input, certificates, DNS. */
  readonly problems?: readonly Problem[];
  readonly hostname?: string;
  readonly disposition: { readonly action: "done" } | Disposition;
  readonly error?: string;
  /** AWS calls this reconcile made, by `service:operation`. */
  readonly calls: Record<string, number>;
}

/** How a reconcile runs. */
export interface ReconcileOptions {
  /** Plan only: no AWS or Kubernetes write. */
  readonly dryRun?: boolean;
  /**
   * Read the group's AWS state even when its ALB's fingerprint says it is converged (catches changes
   * made outside Gannet). Without it an unchanged group costs no per-group AWS read.
   */
  readonly verify?: boolean;
}

/** What one group's reconcile reads. */
export interface GroupInput {
  readonly members: GroupMembers;
  readonly snapshot: KubeSnapshot;
  readonly inventory: ClusterInventory;
}

/** Reconciles one group. With `dryRun`, stops after planning (no AWS or Kubernetes write). */
export async function reconcileGroup(
  input: GroupInput,
  deps: ReconcileDeps,
  opts: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  // Groups run concurrently over shared clients: a scope counts only this group's calls.
  const own = new CallStats();
  const outcome = await withCallScope(own, () => reconcileInScope(input, deps, opts));
  return { ...outcome, calls: own.since(new Map()) };
}

async function reconcileInScope(
  input: GroupInput,
  deps: ReconcileDeps,
  opts: ReconcileOptions,
): Promise<Omit<ReconcileOutcome, "calls">> {
  const { members, snapshot, inventory } = input;
  const owner = { cluster: deps.settings.cluster, group: members.group };
  const finalizer = buildGroupFinalizer(members.group);
  const live = members.members.filter((m) => !m.metadata.deletionTimestamp);

  // Model: certificates first, since HTTPS listeners serve the ones already issued.
  const certificates = chooseGroupCertificates(owner, live, inventory.certificates, inventory.dns.zones);
  // `security-groups` names are looked up every pass (one call, shared by the pass): a renamed or deleted
  // group then changes the desired state, and so the fingerprint.
  const entries = securityGroupEntriesOf(live);
  const securityGroupLookup = entries.length
    ? await lookUpSecurityGroups(deps.aws, inventory, deps.settings.vpcId, entries)
    : undefined;
  const desired = buildDesiredGroup({
    group: members.group,
    members: members.members,
    services: snapshot.services,
    endpointSlices: snapshot.endpointSlices,
    context: { cluster: deps.settings.cluster, vpcId: deps.settings.vpcId, subnets: inventory.subnets },
    certificateArns: certificates.attach,
    placementProblems: members.problems,
    ...currentLoadBalancer(inventory, owner),
    ...(members.halt !== undefined ? { halt: members.halt } : {}),
    ...(securityGroupLookup ? { securityGroupLookup } : {}),
  });
  const hash = computeStateHash([
    desired,
    certificates,
    live.map((i) => hostsOfIngress(i)),
    zonesOfGroup(inventory.dns.zones, live, certificates),
    deps.settings.registry,
    deps.settings.dnsFilters,
  ]);
  const wanted = desired.loadBalancer;
  const currentLb = wanted
    ? inventory.loadBalancers.find(
        (lb) => isOwnedBy(lb.tags, owner) && lb.name === wanted.name && lb.scheme === wanted.scheme,
      )
    : undefined;
  const quiet =
    !desired.halt &&
    members.leaving.length === 0 &&
    certificates.requests.length + certificates.pending.length + certificates.unused.length === 0;
  if (!opts.verify && quiet && currentLb && isConverged(currentLb, hash)) {
    // Converged, by the fingerprint AWS holds: only the Kubernetes side may need a word.
    if (!opts.dryRun) {
      for (const m of live) await deps.kube.addFinalizer(m, finalizer);
      await reportGroup(deps.kube, deps.dedupe, {
        live,
        refused: members.refused,
        hostname: currentLb.dnsName,
        applied: [],
        problems: [...desired.problems, ...certificates.problems],
        instance: deps.instance,
      });
    }
    return {
      group: members.group,
      desired,
      planned: [],
      applied: [],
      certificates: certificates.attach,
      hostname: currentLb.dnsName,
      disposition: { action: "done" },
    };
  }
  const stateTag = new StateTag(deps.aws.elbv2, currentLb);
  const observed = await observeGroup(deps.aws, inventory, owner, { desired, vpcId: deps.settings.vpcId });
  const plan = planGroup(desired, observed);
  // The ALB the plan keeps (same name, same scheme, this group's tags), if there is one.
  const keptArn = currentLb?.arn;
  const base = { group: members.group, desired, planned: plan.changes, certificates: certificates.attach };
  if (opts.dryRun) {
    const hostname = inventory.loadBalancers.find((lb) => lb.arn === keptArn)?.dnsName;
    return {
      ...base,
      disposition: { action: "done" },
      applied: [],
      records: [],
      ...(hostname ? { hostname } : {}),
    };
  }

  // Before apply records what it creates: the new ALB may get the old address again (an emulator).
  const lost = lostAddressesOf(live, inventory);
  // The finalizer goes on before any AWS resource exists, so a deletion can never escape cleanup.
  for (const m of live) await deps.kube.addFinalizer(m, finalizer);
  let applied: readonly Change[] = [];
  const other: string[] = [];
  const certificateProblems: Problem[] = [];
  let failure: { message: string; disposition: Disposition } | undefined;
  let arn = keptArn;
  let dns: DnsStageResult | undefined;
  try {
    if (plan.changes.length > 0) await stateTag.invalidate();
    const result = await applyPlan(plan, {
      ports: deps.aws,
      owner,
      vpcId: deps.settings.vpcId,
      desired,
      inventory,
    });
    applied = result.applied;
    arn = result.loadBalancerArn ?? keptArn;
    if (!desired.halt) {
      // What exists now: the region's ALBs at the pass's start, and those created since.
      const existing = inventory.liveLoadBalancers && [
        ...inventory.liveLoadBalancers,
        ...inventory.loadBalancers,
      ];
      // After the ALB work, so a refused certificate call never holds back targets or rules.
      if (certificates.requests.length + certificates.unused.length > 0) await stateTag.invalidate();
      const requested = await requestCertificates(deps.aws.acm, certificates);
      const retiring = planCertificateDeletions({
        choice: certificates,
        listenerCertificateArns: desired.listeners.flatMap((l) => l.certificateArns ?? []),
        groupLoadBalancerArns: new Set([
          ...observed.loadBalancers.map((lb) => lb.arn),
          ...(arn ? [arn] : []),
        ]),
        ...(existing ? { liveLoadBalancerArns: new Set(existing.map((lb) => lb.arn)) } : {}),
      });
      certificateProblems.push(...requested.problems);
      other.push(...requested.changes.map(describeCertificateChange));
      dns = await reconcileDns({
        route53: deps.aws.route53,
        inventory: inventory.dns,
        live,
        leaving: members.leaving,
        ...dnsTarget(
          desired,
          inventory.loadBalancers.find((lb) => lb.arn === arn),
        ),
        registry: deps.settings.registry,
        filters: deps.settings.dnsFilters,
        validation: validationRecordsNeeded(certificates),
        retiredValidation: retiredValidationNames(inventory.certificates, retiring),
        beforeChange: () => stateTag.invalidate(),
        ...(existing ? { liveTargets: new Set(existing.map((lb) => lb.dnsName.toLowerCase())) } : {}),
        ownTargets: new Set(
          [...observed.loadBalancers, ...inventory.loadBalancers.filter((lb) => lb.arn === arn)].map((lb) =>
            lb.dnsName.toLowerCase().replace(/\.$/, ""),
          ),
        ),
      });
      other.push(...dns.changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}`));
      // After their validation records are retired: a crash in between leaves a certificate the next
      // reconcile still sees (and deletes), never a validation record no certificate names any more.
      const deleted = await deleteUnusedCertificates({
        acm: deps.aws.acm,
        deletions: retiring,
        reportOn: objectKey(
          live[0] ?? members.leaving[0] ?? { metadata: { namespace: "", name: members.group } },
        ),
      });
      certificateProblems.push(...deleted.problems);
      other.push(...deleted.changes.map(describeCertificateChange));
      if (dns.failed.length)
        failure = { message: `Route53 refused: ${dns.failed.join("; ")}`, disposition: { action: "retry" } };
    }
  } catch (err) {
    if (err instanceof ApplyError) {
      applied = err.applied;
      failure = { message: err.message, disposition: err.disposition };
    } else {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      failure = { message, disposition: classifyAwsError(err) };
    }
  }
  const hostname = desired.loadBalancer
    ? inventory.loadBalancers.find((lb) => lb.arn === arn)?.dnsName
    : undefined;
  const pending = certificates.requests.length + certificates.pending.length > 0;
  const problems = [
    ...desired.problems,
    ...(plan.problems ?? []),
    ...certificates.problems,
    ...certificateProblems,
    ...(dns?.problems ?? []),
  ];

  await reportGroup(deps.kube, deps.dedupe, {
    live,
    refused: members.refused,
    hostname,
    applied,
    other,
    problems,
    ...(pending ? { pending: pendingMessage(certificates) } : {}),
    ...(failure ? { failure: failure.message } : {}),
    instance: deps.instance,
    ...lost,
  });
  const records = (dns?.records ?? []).map((r) => `${r.type} ${r.name}`);
  const done = { ...base, applied, other, records, problems, ...(hostname ? { hostname } : {}) };
  if (failure) return { ...done, disposition: failure.disposition, error: failure.message };
  // A plan that could not do everything (a target's security group unknown) leaves no fingerprint: the
  // next pass reads and tries again.
  if (!pending && !desired.halt && desired.loadBalancer && !plan.problems?.length) {
    const i = inventory.loadBalancers.findIndex((lb) => lb.arn === arn);
    const lb = inventory.loadBalancers[i];
    await stateTag.write(lb, hash);
    if (lb) inventory.loadBalancers[i] = { ...lb, tags: { ...lb.tags, [TAG.state]: hash } };
  }
  // Only once AWS no longer holds their rules and records may leaving members go. A halted group
  // changes nothing in AWS, but its live members' finalizers still guard its cleanup: a leaving
  // member's leftovers are the group's, removed by its next full reconcile, so its deletion never hangs.
  if (!desired.halt || live.length > 0)
    for (const m of members.leaving) await deps.kube.removeFinalizer(m, finalizer);
  // Never wait for ACM: come back when the validation records are written and the certificate issued.
  if (pending)
    return { ...done, disposition: { action: "requeue", afterMs: 15_000, reason: "certificate pending" } };
  return { ...done, disposition: { action: "done" } };
}

function dnsTarget(
  desired: DesiredGroup,
  lb: { readonly dnsName: string; readonly canonicalHostedZoneId: string } | undefined,
): Pick<DnsStageInput, "target"> {
  if (!desired.loadBalancer || !lb) return {};
  return {
    target: {
      dnsName: lb.dnsName,
      hostedZoneId: lb.canonicalHostedZoneId,
      dualstack: desired.loadBalancer.ipAddressType === "dualstack",
      internal: desired.loadBalancer.scheme === "internal",
    },
  };
}

function retiredValidationNames(
  all: readonly CertificateSummary[],
  deleted: readonly CertificateChange[],
): Set<string> {
  const arns = new Set(deleted.flatMap((c) => (c.kind === "deleteCertificate" ? [c.arn] : [])));
  if (arns.size === 0) return new Set();
  const keep = validationRecordsToKeep(all, { retiring: arns });
  const names = all
    .filter((c) => arns.has(c.arn))
    .flatMap((c) => c.validation.map((v) => `${v.name.replace(/\.$/, "")}.`.toLowerCase()));
  return new Set(names.filter((n) => !keep.has(n)));
}

function pendingMessage(choice: CertificateChoice): string {
  const hosts = [
    ...choice.requests.flatMap((r) => r.subjectAlternativeNames),
    ...choice.pending.flatMap((p) => p.names),
  ];
  return `certificate for ${[...new Set(hosts)].sort().join(", ")} is pending validation: HTTPS is served once ACM issues it (HTTP meanwhile)`;
}

/** The group's ALB as it is now (the first by name if a crash left several), for held settings. */
function currentLoadBalancer(inventory: ClusterInventory, owner: Owner): { current?: CurrentLoadBalancer } {
  const lb = inventory.loadBalancers
    .filter((l) => isOwnedBy(l.tags, owner))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
  if (!lb) return {};
  const sg = inventory.securityGroups.find(
    (g) => isOwnedBy(g.tags, owner) && lb.securityGroupIds.includes(g.id),
  );
  const inboundCidrs = [...new Set((sg?.ingress ?? []).map((r) => r.cidr))].sort();
  return {
    current: {
      name: lb.name,
      scheme: lb.scheme,
      ipAddressType: lb.ipAddressType,
      subnetIds: lb.subnetIds,
      inboundCidrs,
    },
  };
}

/**
 * The hosted zones that can hold one of the group's names (its hosts, its validation records): the
 * part of the account's zones its fingerprint depends on. A zone created or deleted elsewhere in the
 * account must not change every group's fingerprint (and cost every group a full read and a tag write).
 */
function zonesOfGroup(
  zones: readonly HostedZone[],
  live: readonly Ingress[],
  certificates: CertificateChoice,
): HostedZone[] {
  const names = [
    ...live.flatMap((i) => hostsOfIngress(i).hosts),
    ...validationRecordsNeeded(certificates).map((r) => r.name.replace(/\.$/, "")),
  ];
  return zones.filter((z) => names.some((n) => zoneContainsHost(z, n)));
}

/**
 * The status addresses of live members that no ALB of the region had when the pass began (its ALB was
 * deleted behind Gannet's back, or AWS lost it); unknown when the inventory does not list every ALB.
 */
function lostAddressesOf(
  live: readonly Ingress[],
  inventory: ClusterInventory,
): { lostAddresses?: ReadonlySet<string> } {
  if (!inventory.liveLoadBalancers) return {};
  // With the ALBs created since the inventory was read (a controller shares one for a while), but
  // not yet those this reconcile creates.
  const existing = new Set(
    [...inventory.liveLoadBalancers, ...inventory.loadBalancers].map((lb) => lb.dnsName.toLowerCase()),
  );
  const lost = live
    .map((i) => i.status?.loadBalancer?.ingress?.[0]?.hostname)
    .filter((h): h is string => !!h && !existing.has(h.toLowerCase()));
  return lost.length ? { lostAddresses: new Set(lost) } : {};
}
