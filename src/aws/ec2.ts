// AWS adapter: the narrow EC2 port (subnets for discovery, the ALB's managed security group).

import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import type { Subnet } from "../model/build-group.ts";
import type { DesiredSecurityGroup } from "../model/desired.ts";
import { TAG } from "../model/ownership.ts";
import type { ObservedSecurityGroup } from "../observe/observed.ts";
import type { PortCidr } from "../plan/changes.ts";
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
    let token: string | undefined;
    do {
      const res = await this.client.send(
        // One call, filtered here: emulators do not OR several values of a `tag-key` filter.
        new DescribeSubnetsCommand({
          ...(vpcId ? { Filters: [{ Name: "vpc-id", Values: [vpcId] }] } : {}),
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const s of res.Subnets ?? []) {
        if (!s.Tags?.some((t) => t.Key === ELB_ROLE || t.Key === INTERNAL_ELB_ROLE)) continue;
        out.push({
          id: s.SubnetId ?? "",
          vpcId: s.VpcId ?? "",
          availabilityZone: s.AvailabilityZone ?? "",
          tags: tagMap(s.Tags),
        });
      }
      token = res.NextToken;
    } while (token);
    return out;
  }

  /** Security groups tagged for this cluster (every group), filtered by the tag on the server. */
  async listClusterSecurityGroups(cluster: string): Promise<ObservedSecurityGroup[]> {
    const all: SecurityGroup[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new DescribeSecurityGroupsCommand({
          Filters: [{ Name: `tag:${TAG.cluster}`, Values: [cluster] }],
          ...(token ? { NextToken: token } : {}),
        }),
      );
      all.push(...(res.SecurityGroups ?? []));
      token = res.NextToken;
    } while (token);
    return all
      .map((sg) => ({
        id: sg.GroupId ?? "",
        name: sg.GroupName ?? "",
        ingress: fromPermissions(sg.IpPermissions),
        tags: tagMap(sg.Tags),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async createSecurityGroup(sg: DesiredSecurityGroup, vpcId: string): Promise<string> {
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
