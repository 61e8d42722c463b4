// Test support: traps, AWS resources that look like Gannet's but are not this cluster's (no tags,
// another cluster's tags, tags without a cluster, another ExternalDNS owner), made with the raw SDK, and a
// snapshot of everything about them, to prove that full runs, deletions and `gc` leave them as they were.

import {
  DescribeCertificateCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
} from "@aws-sdk/client-acm";
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import type { awsClients } from "./testbed.ts";

type Aws = ReturnType<typeof awsClients>;
type Tags = Record<string, string>;
const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Everything the traps are, by id, to read back. */
export interface Traps {
  readonly loadBalancers: string[];
  readonly targetGroups: string[];
  readonly rules: { listenerArn: string; ruleArn: string }[];
  readonly certificates: string[];
  readonly securityGroups: string[];
  readonly records: { zoneId: string; names: string[] };
}

/** An empty trap list to fill. */
export function noTraps(zoneId: string): Traps {
  return {
    loadBalancers: [],
    targetGroups: [],
    rules: [],
    certificates: [],
    securityGroups: [],
    records: { zoneId, names: [] },
  };
}

/** The testbed's seeded public zone `gannet.example.com`. */
export async function seededZoneId(aws: Aws): Promise<string> {
  const res = await aws.route53.send(new ListHostedZonesByNameCommand({ DNSName: "gannet.example.com" }));
  return (res.HostedZones?.[0]?.Id ?? "").replace("/hostedzone/", "");
}

/**
 * An ALB named like Gannet's with an HTTP listener, a target group with a target, and a rule forwarding
 * to it; every piece carries `tags` (none for an untagged trap).
 */
export async function createLoadBalancerTrap(
  aws: Aws,
  traps: Traps,
  opts: { readonly name: string; readonly tags: Tags; readonly subnetIds: string[]; readonly vpcId: string },
): Promise<{ loadBalancerArn: string; listenerArn: string }> {
  const Tags = Object.keys(opts.tags).length ? tagList(opts.tags) : undefined;
  const lb = await aws.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: opts.name,
      Type: "application",
      Scheme: "internet-facing",
      Subnets: opts.subnetIds,
      ...(Tags ? { Tags } : {}),
    }),
  );
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
  const tg = await aws.elbv2.send(
    new CreateTargetGroupCommand({
      Name: `gn-${opts.name.slice(-20)}`,
      Protocol: "HTTP",
      Port: 8080,
      VpcId: opts.vpcId,
      TargetType: "ip",
      ...(Tags ? { Tags } : {}),
    }),
  );
  const targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? "";
  await aws.elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: targetGroupArn,
      Targets: [{ Id: "10.99.0.1", Port: 8080 }],
    }),
  );
  const listener = await aws.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [
        { Type: "fixed-response", FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain" } },
      ],
      ...(Tags ? { Tags } : {}),
    }),
  );
  const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? "";
  const ruleArn = await createRuleTrap(aws, listenerArn, { priority: 1, targetGroupArn, tags: opts.tags });
  traps.loadBalancers.push(loadBalancerArn);
  traps.targetGroups.push(targetGroupArn);
  traps.rules.push({ listenerArn, ruleArn });
  return { loadBalancerArn, listenerArn };
}

/** A rule someone adds by hand (to a Gannet listener, say): a path forwarded or answered with a fixed response. */
export async function createRuleTrap(
  aws: Aws,
  listenerArn: string,
  opts: { readonly priority: number; readonly targetGroupArn?: string; readonly tags?: Tags },
): Promise<string> {
  const Tags = opts.tags && Object.keys(opts.tags).length ? tagList(opts.tags) : undefined;
  const res = await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: opts.priority,
      Conditions: [{ Field: "path-pattern", Values: ["/hand-made/*"] }],
      Actions: opts.targetGroupArn
        ? [{ Type: "forward", TargetGroupArn: opts.targetGroupArn }]
        : [
            {
              Type: "fixed-response",
              FixedResponseConfig: { StatusCode: "418", ContentType: "text/plain", MessageBody: "hand-made" },
            },
          ],
      ...(Tags ? { Tags } : {}),
    }),
  );
  return res.Rules?.[0]?.RuleArn ?? "";
}

/** An issued certificate for `domain`, with `tags` (none: untagged). */
export async function createCertificateTrap(
  aws: Aws,
  traps: Traps,
  domain: string,
  tags: Tags,
): Promise<string> {
  const Tags = Object.keys(tags).length ? tagList(tags) : undefined;
  const res = await aws.acm.send(
    new RequestCertificateCommand({ DomainName: domain, ValidationMethod: "DNS", ...(Tags ? { Tags } : {}) }),
  );
  const arn = res.CertificateArn ?? "";
  // Issued before the snapshot: the emulator issues after a few seconds, which is not Gannet's change.
  for (let i = 0; i < 40; i++) {
    const c = await aws.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    if (c.Certificate?.Status === "ISSUED") break;
    await new Promise((r) => setTimeout(r, 500));
  }
  traps.certificates.push(arn);
  return arn;
}

/** A security group named like Gannet's. */
export async function createSecurityGroupTrap(
  aws: Aws,
  traps: Traps,
  opts: { readonly name: string; readonly vpcId: string; readonly tags: Tags },
): Promise<void> {
  const res = await aws.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: opts.name,
      Description: "looks like Gannet's",
      VpcId: opts.vpcId,
      ...(Object.keys(opts.tags).length
        ? { TagSpecifications: [{ ResourceType: "security-group", Tags: tagList(opts.tags) }] }
        : {}),
    }),
  );
  traps.securityGroups.push(res.GroupId ?? "");
}

/** Record sets created as they are (A, alias A, TXT), remembered by name. */
export async function createRecordTraps(aws: Aws, traps: Traps, records: ResourceRecordSet[]): Promise<void> {
  await aws.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: traps.records.zoneId,
      ChangeBatch: { Changes: records.map((r) => ({ Action: "CREATE", ResourceRecordSet: r })) },
    }),
  );
  for (const r of records) traps.records.names.push((r.Name ?? "").toLowerCase());
}

/** The TXT value another ExternalDNS owner writes. */
export function foreignTxt(owner: string, resource = "ingress/elsewhere/app"): string {
  return `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${resource}"`;
}

// Deep copy with keys sorted, so two reads compare as JSON whatever the order AWS returned keys in.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object" && !(value instanceof Date))
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => k !== "$metadata")
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value instanceof Date ? value.toISOString() : value;
}

async function tagsOf(aws: Aws, arn: string) {
  const res = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  return res.TagDescriptions?.[0]?.Tags ?? [];
}

/**
 * Everything readable about the traps: each ALB (attributes, tags, listeners, every rule with its
 * tags), target group (attributes, tags, targets), certificate (detail but InUseBy, which AWS keeps up
 * as listeners attach it, tags), security group, and record set. A missing resource reads as "gone".
 */
export async function readTraps(aws: Aws, traps: Traps): Promise<unknown> {
  const gone = (err: unknown) => `gone: ${(err as { name?: string }).name ?? String(err)}`;
  const loadBalancers = await Promise.all(
    traps.loadBalancers.map(async (arn) => {
      try {
        const lb = (await aws.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })))
          .LoadBalancers?.[0];
        const attributes = (
          await aws.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))
        ).Attributes;
        const listeners =
          (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];
        return {
          lb,
          attributes,
          tags: await tagsOf(aws, arn),
          listeners: await readListeners(aws, listeners),
        };
      } catch (err) {
        return gone(err);
      }
    }),
  );
  const handRules = await Promise.all(
    traps.rules.map(async ({ listenerArn, ruleArn }) => {
      try {
        const rules =
          (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? [];
        return { rule: rules.find((r) => r.RuleArn === ruleArn) ?? "gone", tags: await tagsOf(aws, ruleArn) };
      } catch (err) {
        return gone(err);
      }
    }),
  );
  const targetGroups = await Promise.all(
    traps.targetGroups.map(async (arn) => {
      try {
        const tg = (await aws.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })))
          .TargetGroups?.[0];
        const attributes = (
          await aws.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))
        ).Attributes;
        const health = (await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })))
          .TargetHealthDescriptions;
        return { tg, attributes, health, tags: await tagsOf(aws, arn) };
      } catch (err) {
        return gone(err);
      }
    }),
  );
  const certificates = await Promise.all(
    traps.certificates.map(async (arn) => {
      try {
        const c = (await aws.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
        const tags = (await aws.acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags;
        const { InUseBy: _inUseBy, ...rest } = c ?? {};
        return { certificate: rest, tags };
      } catch (err) {
        return gone(err);
      }
    }),
  );
  const securityGroups = traps.securityGroups.length
    ? ((await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: traps.securityGroups })))
        .SecurityGroups ?? [])
    : [];
  const names = new Set(traps.records.names.map((n) => n.replace(/\.?$/, ".")));
  const records = await allRecords(aws, traps.records.zoneId);
  return canonical({
    loadBalancers,
    handRules,
    targetGroups,
    certificates,
    securityGroups,
    records: records.filter((r) => names.has((r.Name ?? "").toLowerCase())),
  });
}

async function readListeners(aws: Aws, listeners: { ListenerArn?: string | undefined }[]) {
  return Promise.all(
    listeners.map(async (l) => {
      const rules =
        (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn ?? "" }))).Rules ?? [];
      return {
        listener: l,
        tags: await tagsOf(aws, l.ListenerArn ?? ""),
        rules: await Promise.all(
          rules.map(async (r) => ({ rule: r, tags: await tagsOf(aws, r.RuleArn ?? "") })),
        ),
      };
    }),
  );
}

async function allRecords(aws: Aws, zoneId: string): Promise<ResourceRecordSet[]> {
  let res = await aws.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 1000 }),
  );
  const out = [...(res.ResourceRecordSets ?? [])];
  while (res.IsTruncated && res.NextRecordName) {
    res = await aws.route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: res.NextRecordName,
        ...(res.NextRecordType ? { StartRecordType: res.NextRecordType } : {}),
        MaxItems: 1000,
      }),
    );
    out.push(...(res.ResourceRecordSets ?? []));
  }
  return out;
}
