// Each supported `alb.ingress.kubernetes.io/*` annotation on the real testbed: one Ingress per case,
// all converged in one pass, and what the annotation asks for read back from the emulator's AWS API.

import { ListCertificatesCommand } from "@aws-sdk/client-acm";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  DescribeListenersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type Listener,
  type LoadBalancer,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileOutcome } from "../src/reconcile/outcome.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients } from "./support/testbed.ts";

const aws = awsClients();
const P = "alb.ingress.kubernetes.io/";

/** What one case's ALB looks like in AWS. */
interface Seen {
  readonly lb: LoadBalancer;
  readonly tags: Record<string, string>;
  readonly listeners: Listener[];
  readonly targetGroups: TargetGroup[];
  readonly cidrs: string[];
  readonly warnings: string;
}

interface Case {
  readonly name: string;
  readonly annotations: (ctx: { certificateArn: string; subnetNames: string[] }) => Record<string, string>;
  /** The Service the Ingress routes to (its own annotations override the Ingress's for target groups). */
  readonly service?: Record<string, string>;
  readonly check: (seen: Seen, ctx: { certificateArn: string; subnetIds: string[]; suffix: string }) => void;
}

const CASES: readonly Case[] = [
  {
    name: "load-balancer-name",
    annotations: () => ({ "load-balancer-name": "gannet-it-named" }),
    check: ({ lb }) => expect(lb.LoadBalancerName).toBe("gannet-it-named"),
  },
  {
    name: "scheme",
    annotations: () => ({ scheme: "internet-facing" }),
    check: ({ lb }) => expect(lb.Scheme).toBe("internet-facing"),
  },
  {
    name: "subnets",
    annotations: ({ subnetNames }) => ({ subnets: subnetNames.join(", ") }),
    check: ({ lb }, { subnetIds }) =>
      expect((lb.AvailabilityZones ?? []).map((z) => z.SubnetId).sort()).toEqual([...subnetIds].sort()),
  },
  {
    name: "ip-address-type",
    annotations: () => ({ "ip-address-type": "dualstack" }),
    check: ({ lb, cidrs }) => {
      expect(lb.IpAddressType).toBe("dualstack");
      expect(cidrs).toEqual(["0.0.0.0/0", "::/0"]);
    },
  },
  {
    name: "tags",
    annotations: () => ({ tags: "team=shop, cost-center=42, gannet.io/cluster=stolen" }),
    check: ({ tags, warnings }, { suffix }) => {
      expect(tags).toMatchObject({ team: "shop", "cost-center": "42", "gannet.io/cluster": `it-${suffix}` });
      expect(warnings).toMatch(/gannet\.io\/cluster/);
    },
  },
  {
    name: "listen-ports",
    annotations: () => ({ "listen-ports": '[{"HTTP": 8080}]' }),
    check: ({ listeners, cidrs }) => {
      expect(listeners.map((l) => [l.Port, l.Protocol])).toEqual([[8080, "HTTP"]]);
      expect(cidrs).toEqual(["0.0.0.0/0"]);
    },
  },
  {
    name: "inbound-cidrs",
    annotations: () => ({ "inbound-cidrs": "10.0.0.0/8, 192.168.0.0/16" }),
    check: ({ cidrs }) => expect(cidrs).toEqual(["10.0.0.0/8", "192.168.0.0/16"]),
  },
  {
    name: "certificate-arn and ssl-policy",
    annotations: ({ certificateArn }) => ({
      "listen-ports": '[{"HTTPS": 443}]',
      "certificate-arn": certificateArn,
      "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    }),
    check: ({ listeners }, { certificateArn }) => {
      expect(listeners.map((l) => [l.Port, l.Protocol, l.SslPolicy])).toEqual([
        [443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
      ]);
      expect(listeners[0]?.Certificates?.[0]?.CertificateArn).toBe(certificateArn);
    },
  },
  {
    name: "ssl-redirect",
    annotations: ({ certificateArn }) => ({
      "listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
      "certificate-arn": certificateArn,
      "ssl-redirect": "443",
    }),
    check: ({ listeners }) => {
      const http = listeners.find((l) => l.Port === 80);
      expect(http?.DefaultActions?.[0]?.RedirectConfig).toMatchObject({
        Protocol: "HTTPS",
        Port: "443",
        StatusCode: "HTTP_301",
      });
    },
  },
  {
    name: "target-type",
    annotations: () => ({ "target-type": "instance" }),
    check: ({ targetGroups, warnings }) => {
      expect(targetGroups.map((t) => t.TargetType)).toEqual(["ip"]);
      expect(warnings).toMatch(/target-type.*ip/s);
    },
  },
  {
    name: "backend-protocol",
    annotations: () => ({ "backend-protocol": "HTTPS" }),
    check: ({ targetGroups }) =>
      expect(targetGroups.map((t) => [t.Protocol, t.HealthCheckProtocol])).toEqual([["HTTPS", "HTTPS"]]),
  },
  {
    name: "backend-protocol-version",
    annotations: () => ({ "backend-protocol-version": "GRPC" }),
    check: ({ targetGroups }) =>
      expect(targetGroups.map((t) => [t.ProtocolVersion, t.HealthCheckPath, t.Matcher?.GrpcCode])).toEqual([
        ["GRPC", "/AWS.ALB/healthcheck", "12"],
      ]),
  },
  {
    name: "healthcheck-* and success-codes",
    annotations: () => ({
      "healthcheck-path": "/ping",
      "healthcheck-port": "9090",
      "healthcheck-protocol": "HTTPS",
      "healthcheck-interval-seconds": "20",
      "healthcheck-timeout-seconds": "7",
      "healthy-threshold-count": "3",
      "unhealthy-threshold-count": "4",
      "success-codes": "200-299",
    }),
    check: ({ targetGroups }) =>
      expect(targetGroups[0]).toMatchObject({
        HealthCheckPath: "/ping",
        HealthCheckPort: "9090",
        HealthCheckProtocol: "HTTPS",
        HealthCheckIntervalSeconds: 20,
        HealthCheckTimeoutSeconds: 7,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 4,
        Matcher: { HttpCode: "200-299" },
      }),
  },
  {
    name: "Service annotations override the Ingress's",
    annotations: () => ({ "healthcheck-path": "/from-ingress", "success-codes": "204" }),
    service: { "healthcheck-path": "/from-service" },
    check: ({ targetGroups }) =>
      expect(targetGroups.map((t) => [t.HealthCheckPath, t.Matcher?.HttpCode])).toEqual([
        ["/from-service", "204"],
      ]),
  },
];

describe("each supported annotation, read back from AWS", () => {
  const s = new Scenario();
  const suffix = s.cluster.slice(3);
  const ctx = { certificateArn: "", subnetNames: [] as string[], subnetIds: [] as string[], suffix };
  const slug = (name: string) =>
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/-$/, "");
  let outcomes: ReconcileOutcome[] = [];

  beforeAll(async () => {
    await s.setUp();
    const certificates = await aws.acm.send(new ListCertificatesCommand({}));
    ctx.certificateArn =
      certificates.CertificateSummaryList?.find((c) => c.DomainName === "*.wild.gannet.example.com")
        ?.CertificateArn ?? "";
    const subnets = (await aws.ec2.send(new DescribeSubnetsCommand({}))).Subnets ?? [];
    const publicSubnets = subnets
      .filter((sn) => sn.Tags?.some((t) => t.Key === "kubernetes.io/role/elb"))
      .sort((a, b) => (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""))
      .slice(0, 2);
    ctx.subnetNames = publicSubnets.map((sn) => sn.Tags?.find((t) => t.Key === "Name")?.Value ?? "");
    ctx.subnetIds = publicSubnets.map((sn) => sn.SubnetId ?? "");

    for (const c of CASES) {
      const name = slug(c.name);
      await s.kube.core.createNamespacedService({
        namespace: s.namespace,
        body: {
          metadata: {
            name,
            annotations: Object.fromEntries(Object.entries(c.service ?? {}).map(([k, v]) => [`${P}${k}`, v])),
          },
          spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }] },
        },
      });
      await s.putBackend({ name, ready: ["10.20.6.10"] });
      const ingress: V1Ingress = {
        metadata: {
          name,
          annotations: Object.fromEntries(
            Object.entries(c.annotations(ctx)).map(([k, v]) => [`${P}${k}`, v]),
          ),
        },
        spec: {
          ingressClassName: "gannet",
          rules: [
            {
              host: `${name}.gannet.example.com`,
              http: {
                paths: [
                  { path: "/", pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      };
      await s.putIngress(ingress);
    }
    ({ outcomes } = await s.reconcile());
  });
  afterAll(() => s.tearDown());

  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const name = slug(c.name);
    const outcome = outcomes.find((o) => o.group === `${s.namespace}/${name}`);
    expect(outcome?.error).toBeUndefined();
    const lb = (await allLoadBalancers(aws.elbv2))?.find((l) => l.DNSName === outcome?.hostname);
    if (!lb?.LoadBalancerArn) throw new Error(`no ALB for ${name}`);
    const arn = lb.LoadBalancerArn;
    const tagList = (await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] })))
      .TagDescriptions?.[0]?.Tags;
    const listeners =
      (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];
    const targetGroups =
      (await aws.elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: arn }))).TargetGroups ?? [];
    const groups = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: lb.SecurityGroups ?? [] }),
    );
    const cidrs = (groups.SecurityGroups ?? [])
      .flatMap((g) => g.IpPermissions ?? [])
      .flatMap((p) => [
        ...(p.IpRanges ?? []).map((r) => r.CidrIp ?? ""),
        ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? ""),
      ]);
    const warnings = (outcome?.problems ?? []).map((p) => `${p.field}: ${p.message}`).join("\n");
    c.check(
      {
        lb,
        tags: Object.fromEntries((tagList ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
        listeners: listeners.sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0)),
        targetGroups,
        cidrs: [...new Set(cidrs)].sort(),
        warnings,
      },
      ctx,
    );
  });

  it("makes no AWS change on the next pass", async () => {
    const { totals, calls } = await s.reconcile([], { verify: true });
    expect(totals.mutating, JSON.stringify(calls)).toBe(0);
  });
});
