// `gannet controller` run as the Deployment runs it: a child process that serves its probes,
// converges an Ingress, logs JSON lines with the group key, and on SIGTERM finishes, releases the
// Lease and exits 0.

import { type ChildProcess, spawn } from "node:child_process";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./support/controller.ts";
import { Scenario } from "./support/scenario.ts";
import { testbedCoordinates } from "./support/testbed.ts";

/** The JSON log lines (a stray non-JSON line, such as a Node warning, is skipped). */
function records(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe("gannet controller (the process)", () => {
  const s = new Scenario();
  let child: ChildProcess;
  const lines: string[] = [];
  let url = "";

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.5.10"] });
    const { kubeconfig, awsEndpoint } = testbedCoordinates();
    child = spawn(
      process.execPath,
      [
        "src/runtime/cli.ts",
        "controller",
        ...["--cluster", s.cluster, "--namespace", s.namespace],
        ...["--lease-namespace", s.namespace, "--metrics-bind-address", "127.0.0.1:0"],
        ...["--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "500ms"],
      ],
      {
        env: { ...process.env, GANNET_KUBECONFIG: kubeconfig, AWS_ENDPOINT_URL: awsEndpoint },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let buffer = "";
    const collect = (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    url = await eventually("the metrics URL in the log", async () => {
      const served = records(lines).find((l) => typeof l.url === "string");
      return served?.url as string | undefined;
    });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
    s.tearDown();
  });

  it("becomes ready and converges an Ingress, logging the group", async () => {
    await eventually("ready", async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined));
    await s.putIngress({
      metadata: { name: "proc" },
      spec: {
        ingressClassName: "gannet",
        defaultBackend: { service: { name: "web", port: { number: 80 } } },
      },
    });

    const hostname = await eventually(
      "status address",
      async () => (await s.getIngress("proc"))?.status?.loadBalancer?.ingress?.[0]?.hostname,
    );
    const logged = await eventually("a reconcile log line", async () =>
      records(lines).find((l) => l.msg === "reconciled" && l.group === `${s.namespace}/proc`),
    );

    expect(hostname).toMatch(/\.elb\.amazonaws\.com$/);
    expect(logged).toMatchObject({ level: "info", result: "success", hostname });
  });

  it("on SIGTERM releases the Lease and exits 0", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

    child.kill("SIGTERM");
    const code = await exited;
    const lease = await s.kube.config
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: s.namespace, name: "gannet-leader" });

    expect(code).toBe(0);
    expect(lease.spec?.holderIdentity ?? "").toBe("");
    expect(lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });
});
