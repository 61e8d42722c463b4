// Test support: what AWS holds for one cluster id, read with plain SDK calls (independent of Gannet's
// adapters and inventory) and described without ARNs, ids or generated names, so two runs of the same
// scenario under different cluster ids, namespaces and domains compare equal when, and only when, they
// hold the same resources. Resources are found by Gannet's tags and counted: the emulator accepts
// duplicate names, so a duplicate shows as a second entry, never as an AWS error.

import {
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
} from "@aws-sdk/client-acm";
import { DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import {
  type Action,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
} from "@aws-sdk/client-route-53";
import { TAG } from "../../src/model/ownership.ts";
import { allLoadBalancers, type awsClients } from "./testbed.ts";

type Clients = ReturnType<typeof awsClients>;

/** What to look for, and the run-specific strings to replace by placeholders. */
export interface StateScope {
  readonly cluster: string;
  readonly namespace: string;
  /** The run's own DNS domain under the testbed zone, e.g. `c-1a2b3c.gannet.example.com`. */
  readonly domain: string;
}

/** A cluster's AWS resources, normalized (see the header). */
export interface ClusterState {
  readonly loadBalancers: readonly unknown[];
  readonly targetGroups: readonly unknown[];
  readonly securityGroups: readonly unknown[];
  readonly certificates: readonly unknown[];
  readonly records: readonly unknown[];
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

async function tagsOf(aws: Clients, arns: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (let i = 0; i < arns.length; i += 20) {
    const res = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of res.TagDescriptions ?? [])
      out.set(
        d.ResourceArn ?? "",
        Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
      );
  }
  return out;
}

/** Reads everything AWS holds for `scope.cluster` (and every certificate and record of its domain). */
export async function readClusterState(aws: Clients, scope: StateScope): Promise<ClusterState> {
  const mine = (tags: Record<string, string> | undefined) => tags?.[TAG.cluster] === scope.cluster;
  const lbs = await allLoadBalancers(aws.elbv2);
  const lbTags = await tagsOf(
    aws,
    lbs.map((l) => l.LoadBalancerArn ?? ""),
  );
  const ownLbs = lbs.filter((l) => mine(lbTags.get(l.LoadBalancerArn ?? "")));
  const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const tgTags = await tagsOf(
    aws,
    tgs.map((t) => t.TargetGroupArn ?? ""),
  );
  const ownTgs = tgs.filter((t) => mine(tgTags.get(t.TargetGroupArn ?? "")));
  const tgKey = (arn: string | undefined) => {
    const tags = tgTags.get(arn ?? "");
    return tags && mine(tags) ? `tg:${tags[TAG.key]}` : `foreign:${arn}`;
  };
  const certificates = await readCertificates(aws, scope);
  const certName = (arn: string | undefined) => certificates.byArn.get(arn ?? "") ?? `foreign-cert:${arn}`;
  const action = (a: Action) => ({
    type: a.Type,
    ...(a.ForwardConfig?.TargetGroups?.length
      ? {
          forward: a.ForwardConfig.TargetGroups.map(
            (t) => `${tgKey(t.TargetGroupArn)}*${t.Weight ?? 1}`,
          ).sort(),
        }
      : a.TargetGroupArn
        ? { forward: [tgKey(a.TargetGroupArn)] }
        : {}),
    ...(a.RedirectConfig ? { redirect: a.RedirectConfig } : {}),
    ...(a.FixedResponseConfig ? { fixed: a.FixedResponseConfig } : {}),
  });
  const loadBalancers = [];
  for (const lb of ownLbs) {
    const listeners = [];
    for (const l of (
      await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn ?? "" }))
    ).Listeners ?? []) {
      const certs =
        l.Protocol === "HTTPS"
          ? ((
              await aws.elbv2.send(
                new DescribeListenerCertificatesCommand({ ListenerArn: l.ListenerArn ?? "" }),
              )
            ).Certificates ?? [])
          : [];
      const rules = await allRules(aws, l.ListenerArn ?? "");
      listeners.push({
        port: l.Port,
        protocol: l.Protocol,
        sslPolicy: l.SslPolicy,
        // Every attachment counts: the emulator appends duplicates, and a duplicate is a defect.
        certificates: certs
          .map((c) => `${c.IsDefault ? "default " : ""}${certName(c.CertificateArn)}`)
          .sort(),
        defaultActions: (l.DefaultActions ?? []).map(action),
        rules: rules
          .filter((r) => !r.IsDefault)
          .map((r) => ({
            priority: r.Priority,
            conditions: (r.Conditions ?? [])
              .map((c) => ({
                field: c.Field,
                values: [
                  ...(c.Values ?? []),
                  ...(c.HostHeaderConfig?.Values ?? []),
                  ...(c.PathPatternConfig?.Values ?? []),
                  ...(c.HostHeaderConfig?.RegexValues ?? []).map(readableRegex),
                  ...(c.PathPatternConfig?.RegexValues ?? []).map(readableRegex),
                ].sort(),
              }))
              .sort(byJson),
            actions: (r.Actions ?? []).map(action),
          }))
          .sort((a, b) => Number(a.priority) - Number(b.priority)),
      });
    }
    loadBalancers.push({
      scheme: lb.Scheme,
      type: lb.Type,
      subnets: lb.AvailabilityZones?.length,
      securityGroups: lb.SecurityGroups?.length,
      listeners: listeners.sort(byJson),
    });
  }
  const targetGroups = [];
  for (const tg of ownTgs) {
    const health = await aws.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn ?? "" }),
    );
    targetGroups.push({
      key: tgKey(tg.TargetGroupArn),
      protocol: tg.Protocol,
      port: tg.Port,
      targetType: tg.TargetType,
      healthCheckPath: tg.HealthCheckPath,
      targets: (health.TargetHealthDescriptions ?? []).map((t) => `${t.Target?.Id}:${t.Target?.Port}`).sort(),
    });
  }
  const sgs =
    (
      await aws.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [{ Name: `tag:${TAG.cluster}`, Values: [scope.cluster] }],
        }),
      )
    ).SecurityGroups ?? [];
  const securityGroups = sgs.map((g) => ({
    role: g.Tags?.find((t) => t.Key === TAG.resource)?.Value,
    ingress: (g.IpPermissions ?? [])
      .flatMap((p) => [
        ...(p.IpRanges ?? []).map((r) => `${p.IpProtocol}:${p.FromPort}-${p.ToPort}:${r.CidrIp}`),
        ...(p.Ipv6Ranges ?? []).map((r) => `${p.IpProtocol}:${p.FromPort}-${p.ToPort}:${r.CidrIpv6}`),
      ])
      .sort(),
  }));
  const dnsNames = new Set(ownLbs.map((l) => (l.DNSName ?? "").toLowerCase()));
  const records = await readRecords(aws, scope, dnsNames);
  return normalize(scope, {
    loadBalancers: loadBalancers.sort(byJson),
    targetGroups: targetGroups.sort(byJson),
    securityGroups: securityGroups.sort(byJson),
    certificates: certificates.list.sort(byJson),
    records: records.sort(byJson),
  });
}

/** A case-insensitive host regex (`[sS][hH]…\\.`) made readable, so the run's domain can be replaced in it. */
function readableRegex(v: string): string {
  return `regex:${v.replace(/\[([a-z])[A-Z]\]/g, "$1").replaceAll("\\.", ".")}`;
}

async function allRules(aws: Clients, listenerArn: string): Promise<Rule[]> {
  const out: Rule[] = [];
  let marker: string | undefined;
  do {
    const res = await aws.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, ...(marker ? { Marker: marker } : {}) }),
    );
    out.push(...(res.Rules ?? []));
    marker = res.NextMarker;
  } while (marker);
  return out;
}

/** Every certificate for a name of the domain, tagged or not (an untagged one would be a leak Gannet cannot see). */
async function readCertificates(
  aws: Clients,
  scope: StateScope,
): Promise<{ list: unknown[]; byArn: Map<string, string> }> {
  const list: unknown[] = [];
  const byArn = new Map<string, string>();
  const res = await aws.acm.send(
    new ListCertificatesCommand({
      Includes: {
        keyTypes: ["RSA_2048", "RSA_1024", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1"],
      },
    }),
  );
  // Other tests delete their certificates meanwhile: one gone between the list and the read is skipped.
  const gone = (err: unknown) => {
    if ((err as { name?: string }).name === "ResourceNotFoundException") return undefined;
    throw err;
  };
  for (const c of res.CertificateSummaryList ?? []) {
    const arn = c.CertificateArn ?? "";
    const tagList = await aws.acm
      .send(new ListTagsForCertificateCommand({ CertificateArn: arn }))
      .catch(gone);
    if (!tagList) continue;
    const tags = Object.fromEntries((tagList.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    const ours = tags[TAG.cluster] === scope.cluster;
    if (!ours && !(c.DomainName ?? "").endsWith(scope.domain)) continue;
    const described = await aws.acm.send(new DescribeCertificateCommand({ CertificateArn: arn })).catch(gone);
    if (!described) continue;
    const detail = described.Certificate;
    const names = [...new Set([detail?.DomainName ?? "", ...(detail?.SubjectAlternativeNames ?? [])])].sort();
    byArn.set(arn, `cert:${names.join(",")}`);
    list.push({
      names,
      status: detail?.Status,
      cluster: tags[TAG.cluster] ?? null,
      role: tags[TAG.resource],
    });
  }
  return { list, byArn };
}

async function readRecords(
  aws: Clients,
  scope: StateScope,
  ownDnsNames: ReadonlySet<string>,
): Promise<unknown[]> {
  const zoneId = await testZoneId(aws);
  const out: unknown[] = [];
  let start: { name?: string; type?: string } = {};
  for (;;) {
    const res = await aws.route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        MaxItems: 300,
        ...(start.name ? { StartRecordName: start.name } : {}),
        ...(start.type ? { StartRecordType: start.type as "A" } : {}),
      }),
    );
    for (const r of res.ResourceRecordSets ?? []) {
      if (!(r.Name ?? "").toLowerCase().endsWith(`${scope.domain}.`)) continue;
      const alias = r.AliasTarget?.DNSName?.toLowerCase()
        .replace(/\.$/, "")
        .replace(/^dualstack\./, "");
      out.push({
        name: r.Name,
        type: r.Type,
        ttl: r.TTL ?? null,
        values: (r.ResourceRecords ?? []).map((v) => v.Value).sort(),
        ...(alias ? { alias: ownDnsNames.has(alias) ? "<own ALB>" : alias } : {}),
      });
    }
    if (!res.IsTruncated) break;
    start = {
      ...(res.NextRecordName ? { name: res.NextRecordName } : {}),
      ...(res.NextRecordType ? { type: res.NextRecordType } : {}),
    };
  }
  return out;
}

function normalize(scope: StateScope, state: ClusterState): ClusterState {
  const text = JSON.stringify(state)
    .replaceAll(scope.domain, "<domain>")
    .replaceAll(scope.namespace, "<namespace>")
    .replaceAll(scope.cluster, "<cluster>")
    // Validation CNAME names carry a per-certificate hash.
    .replace(/_[0-9a-f]{16,}\./g, "_<hash>.");
  return JSON.parse(text) as ClusterState;
}

/** Counts of a state's resources, for one-line figures and quick checks. */
export function countState(state: ClusterState): Record<string, number> {
  const listeners = state.loadBalancers.flatMap(
    (lb) => (lb as { listeners: { rules: unknown[] }[] }).listeners,
  );
  return {
    loadBalancers: state.loadBalancers.length,
    listeners: listeners.length,
    rules: listeners.reduce((n, l) => n + l.rules.length, 0),
    targetGroups: state.targetGroups.length,
    securityGroups: state.securityGroups.length,
    certificates: state.certificates.length,
    records: state.records.length,
  };
}

/**
 * Deletes, with plain SDK calls and behind Gannet's back, everything AWS holds for `scope.cluster`:
 * its ALBs (listeners first), target groups, security groups, certificates, and every record of
 * `scope.domain`. What a restarted, empty emulator (or an account wiped by hand) looks like to Gannet.
 */
export async function wipeClusterResources(aws: Clients, scope: StateScope): Promise<void> {
  const mine = (tags: Record<string, string> | undefined) => tags?.[TAG.cluster] === scope.cluster;
  const lbs = await allLoadBalancers(aws.elbv2);
  const lbTags = await tagsOf(
    aws,
    lbs.map((l) => l.LoadBalancerArn ?? ""),
  );
  for (const lb of lbs.filter((l) => mine(lbTags.get(l.LoadBalancerArn ?? "")))) {
    const arn = lb.LoadBalancerArn ?? "";
    for (const l of (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn })))
      .Listeners ?? [])
      await aws.elbv2.send(new DeleteListenerCommand({ ListenerArn: l.ListenerArn ?? "" }));
    await aws.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
  }
  const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const tgTags = await tagsOf(
    aws,
    tgs.map((t) => t.TargetGroupArn ?? ""),
  );
  for (const tg of tgs.filter((t) => mine(tgTags.get(t.TargetGroupArn ?? ""))))
    await aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn ?? "" }));
  const sgs =
    (
      await aws.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [{ Name: `tag:${TAG.cluster}`, Values: [scope.cluster] }],
        }),
      )
    ).SecurityGroups ?? [];
  for (const sg of sgs) await aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId ?? "" }));
  const certs = (await aws.acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
  for (const c of certs) {
    const tags = (
      await aws.acm.send(new ListTagsForCertificateCommand({ CertificateArn: c.CertificateArn ?? "" }))
    ).Tags;
    if (tags?.some((t) => t.Key === TAG.cluster && t.Value === scope.cluster))
      await aws.acm.send(new DeleteCertificateCommand({ CertificateArn: c.CertificateArn ?? "" }));
  }
  const zoneId = await testZoneId(aws);
  const sets = (
    await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 1000 }))
  ).ResourceRecordSets;
  const doomed = (sets ?? []).filter((r) => (r.Name ?? "").toLowerCase().endsWith(`${scope.domain}.`));
  if (doomed.length)
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: doomed.map((r) => ({ Action: "DELETE", ResourceRecordSet: r })) },
      }),
    );
}

async function testZoneId(aws: Clients): Promise<string> {
  const zones = await aws.route53.send(new ListHostedZonesByNameCommand({ DNSName: "gannet.example.com" }));
  return zones.HostedZones?.find((z) => z.Name === "gannet.example.com.")?.Id ?? "";
}
