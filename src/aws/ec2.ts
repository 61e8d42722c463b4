// AWS adapter: the narrow EC2 port (subnets for discovery, the ALB's managed security group).

import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  type EC2Client,
  EC2ServiceException,
  type Filter,
  type IpPermission,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import type { DesiredSecurityGroup } from "../model/desired.ts";
import { isSecurityGroupId } from "../model/load-balancer/security-groups.ts";
import type { Subnet } from "../model/load-balancer/subnets.ts";
import { groupTagValue, isOwnedBy, type Owner, TAG } from "../model/ownership.ts";
import type { ObservedBackendRule, ObservedSecurityGroup, PortCidr } from "../types/alb.ts";
import { tagList, tagMap } from "./elbv2-convert.ts";

function toPermissions(rules: readonly PortCidr[]): IpPermission[] {
  return rules.map((r) => ({
    IpProtocol: "tcp",
    FromPort: r.port,
    ToPort: r.port,
    ...(r.cidr.includes(":") ? { Ipv6Ranges: [{ CidrIpv6: r.cidr }] } : { IpRanges: [{ CidrIp: r.cidr }] }),
  }));
}

function fromPermissions(perms: readonly IpPermission[] | undefined): PortCidr[] {
  const out: PortCidr[] = [];
  for (const p of perms ?? []) {
    if (p.IpProtocol !== "tcp" || p.FromPort === undefined || p.FromPort !== p.ToPort) continue;
    for (const r of p.IpRanges ?? []) if (r.CidrIp) out.push({ port: p.FromPort, cidr: r.CidrIp });
    for (const r of p.Ipv6Ranges ?? []) if (r.CidrIpv6) out.push({ port: p.FromPort, cidr: r.CidrIpv6 });
  }
  return out;
}

// EC2 models no exception: its errors are EC2ServiceExceptions named by their code.
function isDuplicate(err: unknown): boolean {
  return err instanceof EC2ServiceException && err.name === "InvalidPermission.Duplicate";
}

const ELB_ROLE = "kubernetes.io/role/elb";
const INTERNAL_ELB_ROLE = "kubernetes.io/role/internal-elb";

/** The EC2 calls Gannet makes. */
export class Ec2Port {
  private readonly client: EC2Client;

  constructor(client: EC2Client) {
    this.client = client;
  }

  /** Subnets of a VPC that carry an ELB role tag (public or internal), with their tags. */
  async listElbSubnets(vpcId: string | undefined): Promise<Subnet[]> {
    const out: Subnet[] = [];
    // One call per page, filtered here: emulators do not OR several values of a `tag-key` filter.
    const pages = paginateDescribeSubnets(
      { client: this.client },
      vpcId ? { Filters: [{ Name: "vpc-id", Values: [vpcId] }] } : {},
    );
    for await (const res of pages) {
      for (const s of res.Subnets ?? []) {
        if (!s.Tags?.some((t) => t.Key === ELB_ROLE || t.Key === INTERNAL_ELB_ROLE)) continue;
        out.push({
          id: s.SubnetId ?? "",
          vpcId: s.VpcId ?? "",
          availabilityZone: s.AvailabilityZone ?? "",
          tags: tagMap(s.Tags),
        });
      }
    }
    return out;
  }

  /** Security groups tagged for this cluster (every group), filtered by the tag on the server. */
  async listClusterSecurityGroups(cluster: string): Promise<ObservedSecurityGroup[]> {
    const all = await this.describeSecurityGroups([{ Name: `tag:${TAG.cluster}`, Values: [cluster] }]);
    return all
      .map((sg) => ({
        id: sg.GroupId ?? "",
        name: sg.GroupName ?? "",
        ingress: fromPermissions(sg.IpPermissions),
        tags: tagMap(sg.Tags),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Security groups of a VPC matching the filters, paged. */
  private async describeSecurityGroups(filters: Filter[]): Promise<SecurityGroup[]> {
    const all: SecurityGroup[] = [];
    for await (const res of paginateDescribeSecurityGroups({ client: this.client }, { Filters: filters }))
      all.push(...(res.SecurityGroups ?? []));
    return all;
  }

  /**
   * What each `security-groups` entry names in the VPC: an ID itself when it exists there, a Name tag
   * value the IDs of the groups that carry it (AWS LBC's rule: the Name tag, not GroupName). At most two
   * calls, one for the IDs and one for the names.
   */
  async findSecurityGroups(vpcId: string, entries: readonly string[]): Promise<Map<string, string[]>> {
    const ids = entries.filter(isSecurityGroupId);
    const names = entries.filter((e) => !isSecurityGroupId(e));
    const vpc = { Name: "vpc-id", Values: [vpcId] };
    const [byId, byName] = await Promise.all([
      ids.length ? this.describeSecurityGroups([vpc, { Name: "group-id", Values: ids }]) : [],
      names.length ? this.describeSecurityGroups([vpc, { Name: "tag:Name", Values: names }]) : [],
    ]);
    const out = new Map<string, string[]>();
    for (const id of ids) out.set(id, byId.some((sg) => sg.GroupId === id) ? [id] : []);
    for (const name of names) {
      const found = byName.filter((sg) => sg.Tags?.some((t) => t.Key === "Name" && t.Value === name));
      out.set(
        name,
        found
          .map((sg) => sg.GroupId ?? "")
          .filter((id) => id !== "")
          .sort(),
      );
    }
    return out;
  }

  /**
   * The security groups of the network interfaces that hold the given private IPs in a VPC (a pod IP sits
   * on its node's ENI, or on its own branch ENI with security groups for pods); IPs on no ENI are absent.
   */
  async securityGroupsOfIps(vpcId: string, ips: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    // A filter takes at most 200 values; one is the VPC.
    for (let i = 0; i < ips.length; i += 199) {
      const chunk = ips.slice(i, i + 199);
      const pages = paginateDescribeNetworkInterfaces(
        { client: this.client },
        {
          Filters: [
            { Name: "vpc-id", Values: [vpcId] },
            { Name: "addresses.private-ip-address", Values: chunk },
          ],
        },
      );
      for await (const res of pages) {
        for (const eni of res.NetworkInterfaces ?? []) {
          const groups = (eni.Groups ?? []).map((g) => g.GroupId ?? "").filter((id) => id !== "");
          for (const a of eni.PrivateIpAddresses ?? []) {
            if (a.PrivateIpAddress && chunk.includes(a.PrivateIpAddress)) out.set(a.PrivateIpAddress, groups);
          }
          if (eni.PrivateIpAddress && chunk.includes(eni.PrivateIpAddress))
            out.set(eni.PrivateIpAddress, groups);
        }
      }
    }
    return out;
  }

  /** Tags of the given security groups. */
  async securityGroupTags(ids: readonly string[]): Promise<Map<string, Record<string, string>>> {
    if (ids.length === 0) return new Map();
    const sgs = await this.describeSecurityGroups([{ Name: "group-id", Values: [...ids] }]);
    return new Map(sgs.map((sg) => [sg.GroupId ?? "", tagMap(sg.Tags)]));
  }

  /** Ingress rules tagged as this group's (rules Gannet added to its targets' security groups). */
  async listOwnedRules(owner: Owner): Promise<ObservedBackendRule[]> {
    const out: ObservedBackendRule[] = [];
    const pages = paginateDescribeSecurityGroupRules(
      { client: this.client },
      {
        Filters: [
          { Name: `tag:${TAG.cluster}`, Values: [owner.cluster] },
          { Name: `tag:${TAG.group}`, Values: [groupTagValue(owner.group)] },
        ],
      },
    );
    for await (const res of pages) {
      for (const r of res.SecurityGroupRules ?? []) {
        const tags = tagMap(r.Tags);
        // The server filters by tag; checked again so an emulator that ignores a filter cannot widen it.
        if (r.IsEgress || !isOwnedBy(tags, owner)) continue;
        out.push({
          ruleId: r.SecurityGroupRuleId ?? "",
          securityGroupId: r.GroupId ?? "",
          port: r.FromPort ?? 0,
          sourceSecurityGroupId: r.ReferencedGroupInfo?.GroupId ?? "",
        });
      }
    }
    return out.sort(
      (a, b) =>
        a.securityGroupId.localeCompare(b.securityGroupId) ||
        a.port - b.port ||
        a.ruleId.localeCompare(b.ruleId),
    );
  }

  /** Opens TCP ports of a security group (not Gannet's) to a source group; the rules carry `tags`. */
  async authorizeFromGroup(input: {
    readonly securityGroupId: string;
    readonly sourceSecurityGroupId: string;
    readonly ports: readonly number[];
    readonly description: string;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<void> {
    const authorize = (ports: readonly number[]) =>
      this.client.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: input.securityGroupId,
          IpPermissions: ports.map((port) => ({
            IpProtocol: "tcp",
            FromPort: port,
            ToPort: port,
            UserIdGroupPairs: [{ GroupId: input.sourceSecurityGroupId, Description: input.description }],
          })),
          TagSpecifications: [{ ResourceType: "security-group-rule", Tags: tagList(input.tags) }],
        }),
      );
    try {
      await authorize(input.ports);
    } catch (err) {
      // The same rule added by someone else (untagged, so not Gannet's) fails the whole call: add the
      // ports one by one and leave that rule as it is; it already lets the traffic in.
      if (!isDuplicate(err) || input.ports.length === 1) {
        if (isDuplicate(err)) return;
        throw err;
      }
      for (const port of input.ports)
        await authorize([port]).catch((e) => (isDuplicate(e) ? undefined : Promise.reject(e)));
    }
  }

  /** Removes rules by ID from a security group. */
  async revokeRules(securityGroupId: string, ruleIds: readonly string[]): Promise<void> {
    await this.client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: securityGroupId, SecurityGroupRuleIds: [...ruleIds] }),
    );
  }

  async createSecurityGroup(
    sg: Pick<DesiredSecurityGroup, "name" | "description" | "tags">,
    vpcId: string,
  ): Promise<string> {
    const res = await this.client.send(
      new CreateSecurityGroupCommand({
        GroupName: sg.name,
        Description: sg.description,
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: "security-group", Tags: tagList(sg.tags) }],
      }),
    );
    if (!res.GroupId) throw new Error(`CreateSecurityGroup ${sg.name} returned no id`);
    return res.GroupId;
  }

  async authorizeIngress(groupId: string, rules: readonly PortCidr[]): Promise<void> {
    if (rules.length === 0) return;
    await this.client.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: toPermissions(rules) }),
    );
  }

  async revokeIngress(groupId: string, rules: readonly PortCidr[]): Promise<void> {
    await this.client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: toPermissions(rules) }),
    );
  }

  async deleteSecurityGroup(groupId: string): Promise<void> {
    await this.client.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  }
}
