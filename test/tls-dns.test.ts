// Certificates and DNS on the real testbed: discovery (exact over wildcard), a request that never
// blocks, validation CNAMEs, SNI attachment, ExternalDNS-style records, idempotence and cleanup that
// leaves other owners' records and certificates alone.

import { DescribeCertificateCommand, RequestCertificateCommand } from "@aws-sdk/client-acm";
import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function issued(arn: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const d = await aws.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    if (d.Certificate?.Status === "ISSUED") return;
    await sleep(500);
  }
  throw new Error(`${arn} not ISSUED after 20 s`);
}

async function requestUntagged(domain: string): Promise<string> {
  const res = await aws.acm.send(
    new RequestCertificateCommand({ DomainName: domain, ValidationMethod: "DNS" }),
  );
  const arn = res.CertificateArn ?? "";
  await issued(arn);
  return arn;
}

describe("certificates and DNS for TLS hosts", () => {
  const s = new Scenario();
  const domain = `t-${uniqueSuffix()}.gannet.example.com`;
  const hosts = { exact: `exact.${domain}`, wild: `wild.${domain}`, fresh: `new.sub.${domain}` };
  const certs = { exact: "", wildcard: "", exactWildcard: "" };
  let zoneId = "";

  async function records() {
    const res = await aws.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 1000 }),
    );
    return (res.ResourceRecordSets ?? []).filter((r) => (r.Name ?? "").includes(domain));
  }

  async function listenerCertificates(
    hostname: string | undefined,
  ): Promise<{ default?: string; sni: string[] }> {
    const lb = (await allLoadBalancers(aws.elbv2)).find((l) => l.DNSName === hostname);
    const listeners =
      (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn ?? "" })))
        .Listeners ?? [];
    const https = listeners.find((l) => l.Protocol === "HTTPS");
    if (!https) return { sni: [] };
    const all =
      (
        await aws.elbv2.send(
          new DescribeListenerCertificatesCommand({ ListenerArn: https.ListenerArn ?? "" }),
        )
      ).Certificates ?? [];
    const def = all.find((c) => c.IsDefault)?.CertificateArn;
    return {
      ...(def ? { default: def } : {}),
      sni: [...new Set(all.filter((c) => !c.IsDefault).map((c) => c.CertificateArn ?? ""))]
        .filter((a) => a !== def)
        .sort(),
    };
  }

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.5.10"] });
    zoneId = (
      (await aws.route53.send(new ListHostedZonesByNameCommand({ DNSName: "gannet.example.com" })))
        .HostedZones?.[0]?.Id ?? ""
    ).replace("/hostedzone/", "");
    // Certificates "found in the account": not Gannet's, never deleted by it.
    certs.exact = await requestUntagged(hosts.exact);
    certs.exactWildcard = await requestUntagged(`*.${domain}`);
    certs.wildcard = certs.exactWildcard;
    // Records of others next to ours: one without any TXT, one owned by another ExternalDNS owner.
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: `manual.${domain}`,
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "192.0.2.1" }],
              },
            },
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: `other.${domain}`,
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "192.0.2.2" }],
              },
            },
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: `a-other.${domain}`,
                Type: "TXT",
                TTL: 300,
                ResourceRecords: [
                  {
                    Value:
                      '"heritage=external-dns,external-dns/owner=someone-else,external-dns/resource=ingress/x/y"',
                  },
                ],
              },
            },
          ],
        },
      }),
    );
    await s.putIngress({
      metadata: { name: "tls", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } },
      spec: {
        ingressClassName: "gannet",
        tls: [{ hosts: [hosts.exact, hosts.wild, hosts.fresh], secretName: "ignored-on-alb" }],
        rules: [hosts.exact, hosts.wild, hosts.fresh, `other.${domain}`].map((host) => ({
          host,
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
            ],
          },
        })),
      },
    });
  });
  afterAll(() => s.tearDown());

  it("serves HTTPS at once with the certificates found (exact preferred over wildcard), requests the missing one without waiting", async () => {
    const { outcomes } = await s.reconcile();

    const o = outcomes[0];
    expect(o?.error).toBeUndefined();
    expect(o?.disposition).toMatchObject({ action: "requeue", reason: "certificate pending" });
    const hostname = (await s.getIngress("tls"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    const attached = await listenerCertificates(hostname);
    expect([attached.default, ...attached.sni].sort()).toEqual([certs.exact, certs.wildcard].sort());
    expect((await s.events("tls")).map((e) => e.reason)).toContain("CertificatePending");
  });

  it("writes the validation CNAME while the requested certificate is pending, then attaches it by SNI once ISSUED", async () => {
    await s.reconcile(); // reads the pending certificate's validation record and writes it
    const cnames = (await records()).filter((r) => r.Type === "CNAME");
    expect(cnames.length).toBeGreaterThanOrEqual(1);

    await sleep(3500); // the emulator issues after MOTO_ACM_VALIDATION_WAIT seconds
    const { outcomes } = await s.reconcile();

    expect(outcomes[0]?.disposition).toEqual({ action: "done" });
    const hostname = (await s.getIngress("tls"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    const attached = await listenerCertificates(hostname);
    expect(attached.sni.length + 1).toBe(3);
    expect([attached.default, ...attached.sni]).toEqual(
      expect.arrayContaining([certs.exact, certs.wildcard]),
    );
  });

  it("publishes an A alias to the ALB with an ExternalDNS TXT record for every host it owns, and none where others own", async () => {
    const all = await records();
    const hostname = (await s.getIngress("tls"))?.status?.loadBalancer?.ingress?.[0]?.hostname ?? "";

    for (const host of [hosts.exact, hosts.wild, hosts.fresh]) {
      const a = all.find((r) => r.Type === "A" && r.Name === `${host}.`);
      expect(a?.AliasTarget?.DNSName?.replace(/\.$/, "").toLowerCase()).toContain(hostname.toLowerCase());
      const txt = all.find((r) => r.Type === "TXT" && r.Name === `a-${host}.`);
      expect(txt?.ResourceRecords?.[0]?.Value).toBe(
        `"heritage=external-dns,external-dns/owner=${s.cluster},external-dns/resource=ingress/${s.namespace}/tls"`,
      );
    }
    const other = all.find((r) => r.Type === "A" && r.Name === `other.${domain}.`);
    expect(other?.ResourceRecords?.[0]?.Value).toBe("192.0.2.2");
    const warnings = (await s.events("tls")).filter((e) => e.type === "Warning").map((e) => e.message ?? "");
    expect(warnings.join("\n")).toContain(`other.${domain}`);
  });

  it("adopts a record ExternalDNS made with the same owner id without changing it", async () => {
    const all = await records();
    const a = all.find((r) => r.Type === "A" && r.Name === `${hosts.exact}.`);
    expect(all.some((r) => r.Type === "TXT" && r.Name === `a-${hosts.exact}.`)).toBe(true);
    // As ExternalDNS writes them for an ALB: the alias to `dualstack.<ALB DNS name>.`.
    const target = a?.AliasTarget;
    const deletions = [{ Action: "DELETE", ResourceRecordSet: a }];
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: deletions as never },
      }),
    );
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: `${hosts.exact}.`,
                Type: "A",
                AliasTarget: {
                  DNSName: `dualstack.${target?.DNSName?.replace(/^dualstack\./, "")}`,
                  HostedZoneId: target?.HostedZoneId,
                  EvaluateTargetHealth: true,
                },
              },
            },
          ] as never,
        },
      }),
    );

    const { calls } = await s.reconcile();

    expect(Object.keys(calls).filter((k) => k.startsWith("Route53:Change"))).toEqual([]);
  });

  it("makes no mutating ELB, ACM or Route53 call on the next pass", async () => {
    const { totals, calls } = await s.reconcile();

    expect(totals.mutating, JSON.stringify(calls)).toBe(0);
  });

  it("removes exactly what it owned when the Ingress goes: records, TXT, its certificate and validation CNAME", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "tls", namespace: s.namespace });

    const { outcomes } = await s.reconcile([`${s.namespace}/tls`]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const left = (await records()).map((r) => `${r.Type} ${r.Name}`).sort();
    expect(left).toEqual([`A manual.${domain}.`, `A other.${domain}.`, `TXT a-other.${domain}.`]);
    const exact = await aws.acm.send(new DescribeCertificateCommand({ CertificateArn: certs.exact }));
    const wildcard = await aws.acm.send(new DescribeCertificateCommand({ CertificateArn: certs.wildcard }));
    expect(exact.Certificate?.Status).toBe("ISSUED");
    expect(wildcard.Certificate?.Status).toBe("ISSUED");
    const mine = (await s.rt.aws.acm.listCertificates()).filter(
      (c) => c.tags["gannet.io/cluster"] === s.cluster,
    );
    expect(mine).toEqual([]);
  });
});
