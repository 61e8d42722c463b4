// The `gannet` command line, run as a user runs it: exit codes and output of plan and reconcile.

import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scenario } from "./support/scenario.ts";
import { testbedCoordinates } from "./support/testbed.ts";

function gannet(args: readonly string[]) {
  const { kubeconfig, awsEndpoint } = testbedCoordinates();
  const res = spawnSync(process.execPath, ["src/runtime/cli.ts", ...args], {
    env: { ...process.env, GANNET_KUBECONFIG: kubeconfig, AWS_ENDPOINT_URL: awsEndpoint },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe("gannet CLI", () => {
  const s = new Scenario();
  const scope = () => ["--cluster", s.cluster, "--namespace", s.namespace];

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.4.10"] });
    await s.putIngress({
      metadata: { name: "web" },
      spec: {
        ingressClassName: "gannet",
        rules: [
          {
            host: "cli.gannet.example.com",
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

  it("plan lists the changes and exits 2 while the group is not converged", () => {
    const { code, out } = gannet(["plan", ...scope()]);

    expect(out).toContain(`group ${s.namespace}/web:`);
    expect(out).toContain("create internal ALB");
    expect(code).toBe(2);
  });

  it("reconcile converges the group, prints its address, and exits 0", () => {
    const { code, out } = gannet(["reconcile", ...scope()]);

    expect(out).toMatch(
      new RegExp(`group ${s.namespace}/web: gannet-\\S+\\.elb\\.amazonaws\\.com rules=1 targets=1`),
    );
    // --namespace scopes the run: no other namespace's group is touched.
    expect(out.match(/^group \S+/gm)).toEqual([`group ${s.namespace}/web:`]);
    expect(code).toBe(0);
  });

  it("plan then exits 0: nothing to do", () => {
    const { code, out } = gannet(["plan", ...scope()]);

    expect(out).toContain(`group ${s.namespace}/web: in sync`);
    expect(code).toBe(0);
  });

  it("refuses a bad setting with the flag, the value and the fix", () => {
    const { code, out } = gannet(["plan", "--cluster", "bad cluster!", "--namespace", s.namespace]);

    expect(out).toContain("--cluster / GANNET_CLUSTER_NAME: must be 1-100 letters");
    expect(out).toContain('"bad cluster!"');
    expect(code).toBe(2);
  });

  it("cleans up once the Ingress is deleted", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "web", namespace: s.namespace });

    const { code } = gannet(["reconcile", ...scope()]);

    expect(code).toBe(0);
    expect(await s.getIngress("web")).toBeUndefined();
  });
});
