// `gannet plan` shows everything a reconcile would change, run as a user runs it: for a new TLS Ingress
// whose host is in the seeded hosted zone, the ALB, the certificate request, the validation CNAME and the
// alias and TXT records, and exit 2; once reconciled (and the certificate issued), exit 0.

import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scenario } from "./support/scenario.ts";
import { testbedCoordinates, uniqueSuffix } from "./support/testbed.ts";

function gannet(args: readonly string[]) {
  const { kubeconfig, awsEndpoint } = testbedCoordinates();
  const res = spawnSync(process.execPath, ["src/runtime/cli.ts", ...args], {
    env: { ...process.env, GANNET_KUBECONFIG: kubeconfig, AWS_ENDPOINT_URL: awsEndpoint },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

interface PlanJson {
  readonly groups: readonly {
    readonly group: string;
    readonly inSync: boolean;
    readonly loadBalancer: readonly { readonly kind: string }[];
    readonly certificates: {
      readonly request: readonly { readonly request: { readonly subjectAlternativeNames: string[] } }[];
    };
    readonly records: readonly { readonly action: string; readonly record: { name: string; type: string } }[];
    readonly validationReferences: readonly { readonly for: string }[];
    readonly finalizers: { readonly add: readonly string[] };
  }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("gannet plan, every resource family", () => {
  const s = new Scenario();
  const host = `plan-${uniqueSuffix()}.gannet.example.com`;
  const scope = () => ["--cluster", s.cluster, "--namespace", s.namespace];

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.7.10"] });
    await s.putIngress({
      metadata: {
        name: "web",
        annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" },
      },
      spec: {
        ingressClassName: "gannet",
        tls: [{ hosts: [host] }],
        rules: [
          {
            host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "web", port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
  });
  afterAll(() => s.tearDown());

  it("lists the ALB, the certificate request, its validation CNAME and the alias and TXT records; exits 2", () => {
    const { code, out } = gannet(["plan", "--output", "json", ...scope()]);

    const plan = JSON.parse(out) as PlanJson;
    const group = plan.groups.find((g) => g.group === `${s.namespace}/web`);
    expect(group?.inSync).toBe(false);
    expect(group?.finalizers.add).toEqual([`${s.namespace}/web`]);
    expect(group?.loadBalancer.map((c) => c.kind)).toContain("createLoadBalancer");
    expect(group?.certificates.request.map((c) => c.request.subjectAlternativeNames)).toEqual([[host]]);
    expect(group?.validationReferences).toEqual([{ for: host, after: "requestCertificate" }]);
    const records = (group?.records ?? []).map((r) => `${r.action} ${r.record.type} ${r.record.name}`);
    expect(records).toContain(`CREATE A ${host}`);
    expect(records.some((r) => r.startsWith("CREATE TXT ") && r.includes(host.split(".")[0] ?? host))).toBe(
      true,
    );
    expect(code).toBe(2);
  });

  it("says the same as a readable diff", () => {
    const { code, out } = gannet(["plan", ...scope()]);

    expect(out).toContain(`group ${s.namespace}/web:`);
    expect(out).toContain(`request certificate for ${host}`);
    expect(out).toContain(`then write the validation CNAME ACM names for ${host}`);
    expect(out).toContain(`CREATE A ${host} -> alias (the ALB this reconcile creates)`);
    expect(code).toBe(2);
  });

  it("after a reconcile, lists what is left: the validation CNAME while ACM waits, or the HTTPS listener", () => {
    expect(gannet(["reconcile", ...scope()]).code).toBe(0);

    const { code, out } = gannet(["plan", ...scope()]);

    // The emulator issues within seconds: the certificate may be issued before the CNAME is written.
    const cname = new RegExp(`UPSERT CNAME _[^ ]+\\.${host.replace(/\./g, "\\.")} = `);
    expect(cname.test(out) || out.includes("create HTTPS listener on port 443")).toBe(true);
    expect(out).not.toContain("request certificate");
    expect(out).not.toContain(`CREATE A ${host}`);
    expect(code).toBe(2);
  });

  it("exits 0 once a reconcile wrote everything and ACM issued the certificate", async () => {
    let last = { code: -1 as number | null, out: "" };
    // The emulator issues the certificate MOTO_ACM_VALIDATION_WAIT seconds after the request; the
    // reconcile after that attaches it to the HTTPS listener.
    for (let i = 0; i < 12 && last.code !== 0; i++) {
      expect(gannet(["reconcile", ...scope()]).code).toBe(0);
      last = gannet(["plan", ...scope()]);
      if (last.code !== 0) await sleep(2_000);
    }

    expect(last.out).toContain(`group ${s.namespace}/web: in sync`);
    expect(last.code).toBe(0);
  });

  it("refuses an unknown output format with the flag and the value", () => {
    const { code, err } = gannet(["plan", "--output", "yaml", ...scope()]);

    expect(err).toContain('--output: must be text or json, got "yaml"');
    expect(code).toBe(2);
  });
});
