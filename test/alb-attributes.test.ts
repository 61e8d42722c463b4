// Load-balancer-level and target-group-level annotations on the real testbed: attributes (ALB, target
// group, listener), the user's security groups, backend security group rules on the pods' security groups,
// and the WAFv2 web ACL. Each converges, is read back from LocalStack (WAFv2, which the testbed does not
// serve, through the request Gannet's real client sends, see support/wafv2-recorder.ts), changes, goes away,
// and a second pass makes no AWS change. Bad values are reported and leave the ALB as it was.

import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAG } from "../src/model/ownership.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients, uniqueSuffix } from "./support/testbed.ts";
import { Wafv2Recorder } from "./support/wafv2-recorder.ts";

const aws = awsClients();
const A = "alb.ingress.kubernetes.io/";

function app(annotations: Record<string, string>): V1Ingress {
  return {
    metadata: {
      name: "app",
      annotations: Object.fromEntries(
        Object.entries({ scheme: "internet-facing", ...annotations }).map(([k, v]) => [`${A}${k}`, v]),
      ),
    },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host: "attrs.gannet.example.com",
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  };
}

const attributesOf = (
  list: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
) => Object.fromEntries((list ?? []).map((a) => [a.Key ?? "", a.Value ?? ""]));

describe("load balancer and target group annotations on the real testbed", () => {
  const s = new Scenario();
  const waf = new Wafv2Recorder();
  const suffix = uniqueSuffix();
  const ids = { front: "", other: "", node: "", vpc: "" };
  const acl = { a: waf.createWebAcl(`acl-a-${suffix}`), b: waf.createWebAcl(`acl-b-${suffix}`) };
  const podIps: string[] = [];
  let lb: LoadBalancer | undefined;

  const everything = () => ({
    "load-balancer-attributes":
      "idle_timeout.timeout_seconds=120, routing.http.drop_invalid_header_fields.enabled=TRUE",
    "target-group-attributes":
      "deregistration_delay.timeout_seconds=30,stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=60",
    "listener-attributes.HTTP-80": "routing.http.response.server.enabled=false",
    "wafv2-acl-arn": acl.a,
    "security-groups": `front-${suffix}, ${ids.other}`,
    "manage-backend-security-group-rules": "true",
  });

  async function loadBalancer(): Promise<LoadBalancer | undefined> {
    const all = await allLoadBalancers(aws.elbv2);
    const hostname = (await s.getIngress("app"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    return all.find((l) => l.DNSName === hostname);
  }

  async function groupSecurityGroups(role: string) {
    const res = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: `tag:${TAG.cluster}`, Values: [s.cluster] },
          { Name: `tag:${TAG.resource}`, Values: [role] },
        ],
      }),
    );
    return res.SecurityGroups ?? [];
  }

  async function ingressRules(groupId: string) {
    const res = await aws.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
    );
    return (res.SecurityGroupRules ?? []).filter((r) => !r.IsEgress);
  }

  async function targetGroupAttributes() {
    const tgs = (
      await aws.elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
    ).TargetGroups;
    const res = await aws.elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgs?.[0]?.TargetGroupArn }),
    );
    return attributesOf(res.Attributes);
  }

  async function loadBalancerAttributes() {
    const res = await aws.elbv2.send(
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb?.LoadBalancerArn }),
    );
    return attributesOf(res.Attributes);
  }

  const mutations = (calls: Record<string, number>) =>
    Object.keys(calls).filter((k) => !/:(Describe|List|Get)/.test(k));

  beforeAll(async () => {
    waf.install(s.rt.clients.wafv2);
    await s.setUp();
    const subnets =
      (
        await aws.ec2.send(
          new DescribeSubnetsCommand({
            Filters: [{ Name: "tag-key", Values: ["kubernetes.io/role/internal-elb"] }],
          }),
        )
      ).Subnets ?? [];
    const subnet = subnets.find((x) => x.CidrBlock?.startsWith("10.20.128.")) ?? subnets[0];
    ids.vpc = subnet?.VpcId ?? "";
    const sg = async (name: string, tags: Record<string, string>) =>
      (
        await aws.ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: `${name}-${suffix}`,
            Description: "test",
            VpcId: ids.vpc,
            TagSpecifications: [
              {
                ResourceType: "security-group",
                Tags: Object.entries({ test: suffix, ...tags }).map(([Key, Value]) => ({ Key, Value })),
              },
            ],
          }),
        )
      ).GroupId ?? "";
    ids.front = await sg("front", { Name: `front-${suffix}` });
    ids.other = await sg("other", {});
    ids.node = await sg("node", { [`kubernetes.io/cluster/${s.cluster}`]: "owned" });
    // Two pods on the node's interface: a pod IP lives on its node's ENI with the node's security group.
    const third = 129 + Math.floor(Math.random() * 13);
    const fourth = 10 + Math.floor(Math.random() * 200);
    podIps.push(`10.20.${third}.${fourth}`, `10.20.${third}.${fourth + 1}`);
    for (const ip of podIps) {
      await aws.ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: subnet?.SubnetId ?? "",
          PrivateIpAddress: ip,
          Groups: [ids.node],
        }),
      );
    }
    await s.putBackend({ name: "web", ready: podIps });
  });
  afterAll(() => s.tearDown());

  it("converges an Ingress with every annotation and reads each back from AWS", async () => {
    await s.putIngress(app(everything()));

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(outcomes[0]?.problems).toEqual([]);
    lb = await loadBalancer();
    expect(await loadBalancerAttributes()).toMatchObject({
      "idle_timeout.timeout_seconds": "120",
      "routing.http.drop_invalid_header_fields.enabled": "true",
    });
    expect(await targetGroupAttributes()).toMatchObject({
      "deregistration_delay.timeout_seconds": "30",
      "stickiness.enabled": "true",
      "stickiness.lb_cookie.duration_seconds": "60",
    });
    const listener = (
      await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
    ).Listeners?.[0];
    const listenerAttributes = await aws.elbv2.send(
      new DescribeListenerAttributesCommand({ ListenerArn: listener?.ListenerArn }),
    );
    expect(attributesOf(listenerAttributes.Attributes)).toMatchObject({
      "routing.http.response.server.enabled": "false",
    });
    // WAFv2: the request as AWS would receive it.
    expect(waf.requests.filter((r) => r.operation === "AssociateWebACL")).toEqual([
      { operation: "AssociateWebACL", body: { WebACLArn: acl.a, ResourceArn: lb?.LoadBalancerArn } },
    ]);
    expect(waf.associationOf(lb?.LoadBalancerArn ?? "")).toBe(acl.a);
    // The user's groups replace the managed one (never created), plus Gannet's backend group.
    const [backend, ...more] = await groupSecurityGroups("backend-security-group");
    expect(more).toEqual([]);
    expect(await groupSecurityGroups("security-group")).toEqual([]);
    expect([...(lb?.SecurityGroups ?? [])].sort()).toEqual([ids.front, ids.other, backend?.GroupId].sort());
    expect(await ingressRules(ids.front)).toEqual([]);
    expect(await ingressRules(ids.other)).toEqual([]);
    // The node's group lets the backend group reach the target port, with a rule tagged as Gannet's.
    const rules = await ingressRules(ids.node);
    expect(rules.map((r) => [r.IpProtocol, r.FromPort, r.ToPort, r.ReferencedGroupInfo?.GroupId])).toEqual([
      ["tcp", 8080, 8080, backend?.GroupId],
    ]);
    expect(rules[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: TAG.cluster, Value: s.cluster },
        { Key: TAG.resource, Value: "security-group-rule" },
      ]),
    );
  });

  it("makes no AWS change on a second pass, attributes and web ACL read back included", async () => {
    const before = waf.requests.length;

    const { totals, calls, outcomes } = await s.reconcile();

    expect(outcomes[0]?.planned).toEqual([]);
    expect(totals.mutating).toBe(0);
    expect(calls["ElasticLoadBalancingV2:DescribeLoadBalancerAttributes"]).toBe(1);
    expect(waf.requests.slice(before).map((r) => r.operation)).toEqual(["GetWebACLForResource"]);
  });

  it("sends only the attributes that changed, and moves the web ACL", async () => {
    await s.putIngress(
      app({
        ...everything(),
        "load-balancer-attributes":
          "idle_timeout.timeout_seconds=300,routing.http.drop_invalid_header_fields.enabled=true",
        "wafv2-acl-arn": acl.b,
      }),
    );
    const before = waf.requests.length;

    const { calls, outcomes } = await s.reconcile();

    expect(outcomes[0]?.planned).toEqual([
      { kind: "modifyLoadBalancerAttributes", attributes: { "idle_timeout.timeout_seconds": "300" } },
      { kind: "associateWebAcl", webAclArn: acl.b },
    ]);
    expect(mutations(calls).sort()).toEqual([
      "ElasticLoadBalancingV2:AddTags",
      "ElasticLoadBalancingV2:ModifyLoadBalancerAttributes",
      "ElasticLoadBalancingV2:RemoveTags",
      "WAFV2:AssociateWebACL",
    ]);
    expect((await loadBalancerAttributes())["idle_timeout.timeout_seconds"]).toBe("300");
    expect(waf.requests.slice(before).filter((r) => r.operation === "AssociateWebACL")).toEqual([
      { operation: "AssociateWebACL", body: { WebACLArn: acl.b, ResourceArn: lb?.LoadBalancerArn } },
    ]);
  });

  it("lets the Service's target-group-attributes replace the Ingress's", async () => {
    const service = await s.kube.core.readNamespacedService({ name: "web", namespace: s.namespace });
    service.metadata = {
      ...service.metadata,
      annotations: { [`${A}target-group-attributes`]: "deregistration_delay.timeout_seconds=10" },
    };
    await s.kube.core.replaceNamespacedService({ name: "web", namespace: s.namespace, body: service });

    const { outcomes } = await s.reconcile();

    expect(outcomes[0]?.planned).toEqual([
      expect.objectContaining({
        kind: "modifyTargetGroupAttributes",
        attributes: { "deregistration_delay.timeout_seconds": "10" },
      }),
    ]);
    expect((await targetGroupAttributes())["deregistration_delay.timeout_seconds"]).toBe("10");
  });

  it("reports a pod IP whose security group it cannot find, registers it anyway, and tries again next pass", async () => {
    const stray = "10.20.250.250";
    await s.putBackend({ name: "web", ready: [...podIps, stray] });

    const first = await s.reconcile();

    expect(first.outcomes[0]?.error).toBeUndefined();
    expect(first.outcomes[0]?.applied).toEqual([expect.objectContaining({ kind: "registerTargets" })]);
    expect(first.outcomes[0]?.problems).toEqual([
      expect.objectContaining({
        field: `metadata.annotations['${A}manage-backend-security-group-rules']`,
        message: expect.stringContaining(`target ${stray}: no network interface of the VPC holds this IP`),
      }),
    ]);
    // No fingerprint: the next pass (even a quick one) reads and tries again.
    expect(first.calls["ElasticLoadBalancingV2:AddTags"]).toBeUndefined();
    const again = await s.reconcile([], { verify: false });
    expect(again.calls["EC2:DescribeNetworkInterfaces"]).toBe(1);

    await s.putBackend({ name: "web", ready: podIps });
    const back = await s.reconcile();
    expect(back.outcomes[0]?.problems).toEqual([]);
    expect(back.calls["ElasticLoadBalancingV2:AddTags"]).toBe(1);
  });

  it("reports bad values and leaves the ALB as it was", async () => {
    const sgsBefore = (await loadBalancer())?.SecurityGroups;
    const attributesBefore = await loadBalancerAttributes();
    await s.putIngress(
      app({
        ...everything(),
        "load-balancer-attributes": "idle_timeout.timeout_seconds=99999",
        "security-groups": `no-such-group-${suffix}`,
        "wafv2-acl-arn": "arn:aws:wafv2:us-east-1:000000000000:global/webacl/x/0123",
      }),
    );

    const { calls, outcomes } = await s.reconcile();

    expect(outcomes[0]?.error).toBeUndefined();
    expect(outcomes[0]?.planned).toEqual([]);
    // Only the fingerprint of the new desired state (which carries the problems) is written.
    expect(mutations(calls)).toEqual(["ElasticLoadBalancingV2:AddTags"]);
    expect((await loadBalancer())?.SecurityGroups).toEqual(sgsBefore);
    expect(await loadBalancerAttributes()).toEqual(attributesBefore);
    expect(waf.associationOf(lb?.LoadBalancerArn ?? "")).toBe(acl.b);
    const warnings = (await s.events("app")).filter((e) => e.type === "Warning").map((e) => e.message ?? "");
    for (const [field, says] of [
      ["load-balancer-attributes", "must be a whole number from 1 to 4000"],
      ["security-groups", `no security group of VPC ${ids.vpc} has the Name tag "no-such-group-${suffix}"`],
      ["wafv2-acl-arn", "global (CloudFront) web ACL"],
    ] as const) {
      expect(warnings.some((m) => m.includes(`${A}${field}`) && m.includes(says))).toBe(true);
    }
  });

  it("goes back to the managed security group, removes the web ACL and Gannet's backend rules", async () => {
    await s.putIngress(app({ "wafv2-acl-arn": "none", "inbound-cidrs": "10.0.0.0/8" }));

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const [managed, ...more] = await groupSecurityGroups("security-group");
    expect(more).toEqual([]);
    expect((await loadBalancer())?.SecurityGroups).toEqual([managed?.GroupId]);
    expect(managed?.IpPermissions?.map((p) => [p.FromPort, p.IpRanges?.[0]?.CidrIp])).toEqual([
      [80, "10.0.0.0/8"],
    ]);
    expect(await groupSecurityGroups("backend-security-group")).toEqual([]);
    expect(await ingressRules(ids.node)).toEqual([]);
    // The user's groups stay, untouched.
    const theirs = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [ids.front, ids.other] }),
    );
    expect(theirs.SecurityGroups).toHaveLength(2);
    expect(waf.requests.at(-1)).toEqual({
      operation: "DisassociateWebACL",
      body: { ResourceArn: lb?.LoadBalancerArn },
    });
    expect(waf.associationOf(lb?.LoadBalancerArn ?? "")).toBeUndefined();
    // Attributes whose annotation is gone keep their values (AWS LBC: only stated keys are managed).
    expect((await loadBalancerAttributes())["idle_timeout.timeout_seconds"]).toBe("300");
  });

  it("makes no AWS change on a pass after the removal", async () => {
    const { totals, outcomes } = await s.reconcile();

    expect(outcomes[0]?.planned).toEqual([]);
    expect(totals.mutating).toBe(0);
  });

  it("deletes its security groups with the Ingress and leaves the user's", async () => {
    await s.putIngress(app({ "security-groups": ids.other, "manage-backend-security-group-rules": "true" }));
    await s.reconcile();
    expect((await ingressRules(ids.node)).length).toBe(1);
    await s.kube.networking.deleteNamespacedIngress({ name: "app", namespace: s.namespace });

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(await groupSecurityGroups("security-group")).toEqual([]);
    expect(await groupSecurityGroups("backend-security-group")).toEqual([]);
    expect(await ingressRules(ids.node)).toEqual([]);
    const theirs = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [ids.front, ids.other, ids.node] }),
    );
    expect(theirs.SecurityGroups).toHaveLength(3);
  });
});
