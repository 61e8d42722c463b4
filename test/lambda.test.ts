// The Lambda handler on the testbed, invoked in-process from a cold start (fresh module state) with
// an IAM identity only: it signs its own EKS token from an assumed role's credentials, the API server
// accepts it through the EKS auth webhook, and RBAC grants the mapped group what the controller needs.
// It converges the examples, does nothing the second time, reacts within its watch window, keeps
// off while another holder has the Lease, and cleans up after the Ingresses are deleted.

import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DescribeListenersCommand, DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateHostedZoneCommand, DeleteHostedZoneCommand } from "@aws-sdk/client-route-53";
import { CoordinationV1Api, type KubernetesObject, V1MicroTime } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bundleLambda } from "../scripts/bundle-lambda.ts";
import { applyManifests, readManifests } from "../src/kube/apply-manifests.ts";
import type { Ingress } from "../src/model/kube-objects.ts";
import { TAG } from "../src/model/ownership.ts";
import type { LambdaContext, LambdaHandler } from "../src/runtime/lambda.ts";
import { groupKeyOf } from "../src/sources/ingress/groups/ingress-groups.ts";
import {
  addAccessEntry,
  apiServerEndpoint,
  assumeRole,
  grantControllerRole,
  type RoleCredentials,
  requireAuthWebhook,
  TESTBED_EKS_CLUSTER,
} from "./support/iam-identity.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients, testbedCoordinates, uniqueSuffix } from "./support/testbed.ts";
import { waitForDeployments } from "./support/workloads.ts";

const aws = awsClients();
const suffix = uniqueSuffix();
const role = `gannet-lambda-${suffix}`;
const kubeGroup = `gannet-lambda-${suffix}`;

const scheduled = {
  version: "0",
  id: "c5b2d2c1-4c4a-4b7e-9d8e-1f0d3a1b2c3d",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "000000000000",
  time: new Date().toISOString(),
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:000000000000:rule/gannet-every-minute"],
  detail: {},
};

let invocations = 0;
function context(): LambdaContext {
  invocations++;
  return {
    awsRequestId: `req-${suffix}-${invocations}`,
    functionName: "gannet",
    getRemainingTimeInMillis: () => 120_000,
  };
}

/** A fresh copy of the handler module: no connection, token or client left from an earlier invocation. */
async function cold(): Promise<typeof import("../src/runtime/lambda.ts")> {
  vi.resetModules();
  return import("../src/runtime/lambda.ts");
}

describe("the Lambda handler, cold, with an IAM token through the EKS auth webhook", () => {
  const s = new Scenario();
  // The examples in this test's namespace; group `shop` renamed so parallel runs never share it.
  const objects = readManifests(new URL("../examples", import.meta.url).pathname)
    .filter((o) => o.kind !== "Namespace" && o.kind !== "IngressClass")
    .map((o) => {
      const annotations = { ...o.metadata?.annotations };
      const group = annotations["alb.ingress.kubernetes.io/group.name"];
      if (group) annotations["alb.ingress.kubernetes.io/group.name"] = `${group}-${suffix}`;
      return { ...o, metadata: { ...o.metadata, namespace: s.namespace, annotations } } as KubernetesObject;
    });
  const ingresses = objects.filter((o) => o.kind === "Ingress") as unknown as Ingress[];
  const groups = [...new Set(ingresses.map(groupKeyOf))].sort();
  const lease = () => ({ name: "gannet-leader", namespace: s.namespace });
  const leases = () => s.kube.config.makeApiClient(CoordinationV1Api);
  const cleanups: (() => Promise<void>)[] = [];
  const savedEnv = { ...process.env };
  let credentials: RoleCredentials;
  let handlers: LambdaHandler[] = [];

  beforeAll(async () => {
    await s.setUp();
    await applyManifests(s.kube.config, objects);
    // Converged once the examples' Pods are published: a later Pod would be a change of its own.
    await waitForDeployments(s.kube.config, { namespace: s.namespace, neverReady: ["web-warming"] });
    credentials = await assumeRole(role, "lambda");
    cleanups.push(
      await addAccessEntry({ name: role, principalArn: credentials.roleArn, groups: [kubeGroup] }),
    );
    cleanups.push(await grantControllerRole(role, kubeGroup));
    await requireAuthWebhook(credentials, kubeGroup);
    // The function's environment: its role's credentials, the cluster's endpoint and CA; no kubeconfig.
    const { server, caData } = apiServerEndpoint();
    delete process.env.GANNET_KUBECONFIG;
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: testbedCoordinates().awsEndpoint,
      GANNET_CLUSTER_NAME: s.cluster,
      GANNET_EKS_CLUSTER: TESTBED_EKS_CLUSTER,
      GANNET_EKS_ENDPOINT: server,
      GANNET_EKS_CA_DATA: caData,
      GANNET_WATCH_NAMESPACE: s.namespace,
      GANNET_LEASE_NAMESPACE: s.namespace,
      GANNET_WATCH_SECONDS: "25",
    });
  });
  afterAll(async () => {
    for (const h of handlers) await h.close();
    handlers = [];
    process.env = savedEnv;
    for (const c of cleanups) await c();
    s.tearDown();
    await s.kube.core.deleteNamespace({ name: s.namespace });
  });

  async function invoke(event: unknown, write?: (line: string) => void) {
    const mod = await cold();
    const handler = write ? mod.createLambdaHandler({ write }) : mod.handler;
    handlers.push(handler);
    return handler(event, context());
  }

  it("converges the examples on a schedule event, as the mapped IAM role, and gives the Lease back", async () => {
    const summary = await invoke(scheduled);

    expect(summary).toMatchObject({
      result: "reconciled",
      mode: "changed",
      lease: `${s.namespace}/gannet-leader`,
      kubeUser: `arn:aws:sts::000000000000:assumed-role/${role}/lambda`,
      errors: [],
    });
    expect(summary.groups.map((g) => g.group)).toEqual(groups);
    // Certificates requested on the first pass are attached by the pass the watch window runs 15 s later.
    expect(summary.groups.filter((g) => g.pending)).toEqual([]);
    expect(summary.changes).toBeGreaterThan(0);
    expect(summary.awsCalls.mutating).toBeGreaterThan(0);
    expect(summary.awsCalls.byOperation["ElasticLoadBalancingV2:CreateLoadBalancer"]).toBe(groups.length);
    for (const ingress of ingresses.filter((i) => !TROUBLED.has(i.metadata.name))) {
      const live = await s.getIngress(ingress.metadata.name);
      expect(live?.status?.loadBalancer?.ingress?.[0]?.hostname, ingress.metadata.name).toMatch(
        /\.elb\.amazonaws\.com$/,
      );
    }
    const held = await leases().readNamespacedLease(lease());
    expect(held.spec?.holderIdentity).toBe("");
  });

  it("makes no AWS change on a second cold invocation, even a full resync that reads every group", async () => {
    // A zone created elsewhere in the account meanwhile is none of these groups' business.
    const zone = await aws.route53.send(
      new CreateHostedZoneCommand({
        Name: `unrelated-${suffix}.example.org`,
        CallerReference: `lambda-${suffix}`,
      }),
    );
    cleanups.push(async () => {
      await aws.route53
        .send(new DeleteHostedZoneCommand({ Id: zone.HostedZone?.Id ?? "" }))
        .catch(() => undefined);
    });

    const summary = await invoke({ resync: true, watchSeconds: 0 });

    expect(summary).toMatchObject({
      result: "reconciled",
      mode: "resync",
      changes: 0,
      errors: [],
      passes: 1,
    });
    expect(summary.awsCalls.mutating).toBe(0);
    expect(summary.awsCalls.total).toBeGreaterThan(0);
  });

  it("converges a change made during its watch window in the same invocation", async () => {
    let firstPass: () => void = () => {};
    const passed = new Promise<void>((resolve) => {
      firstPass = resolve;
    });
    const running = invoke({ groups: [`${s.namespace}/site`], watchSeconds: 15 }, (line) => {
      if ((JSON.parse(line) as { msg?: string }).msg === "pass done") firstPass();
    });
    await passed;
    const site = await s.getIngress("site");
    site?.spec?.rules?.[0]?.http?.paths.push({
      path: "/from-the-window",
      pathType: "Exact",
      backend: { service: { name: "web", port: { number: 80 } } },
    });
    await s.kube.networking.replaceNamespacedIngress({
      name: "site",
      namespace: s.namespace,
      body: site ?? {},
    });

    const summary = await running;

    expect(summary).toMatchObject({ result: "reconciled", mode: "groups", errors: [] });
    expect(summary.passes).toBeGreaterThanOrEqual(2);
    expect(summary.awsCalls.byOperation["ElasticLoadBalancingV2:CreateRule"]).toBe(1);
    expect(
      await pathsOnAlb((await s.getIngress("site"))?.status?.loadBalancer?.ingress?.[0]?.hostname),
    ).toContain("/from-the-window");
  });

  it("runs the same from the esbuild bundle alone, in a fresh Node process", async () => {
    const { file } = await bundleLambda();
    // Alone in a directory: nothing can be resolved from the project's node_modules.
    const dir = mkdtempSync(join(tmpdir(), "gannet-lambda-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(file, join(dir, "index.mjs"));
    const script =
      'const { handler } = await import("./index.mjs");' +
      'const s = await handler({ groups: [process.argv[1]], resync: true, watchSeconds: 0 }, { awsRequestId: "bundle", functionName: "gannet", getRemainingTimeInMillis: () => 60000 });' +
      'console.log("SUMMARY " + JSON.stringify(s)); process.exit(0);';
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script, `${s.namespace}/site`],
      { cwd: dir, env: process.env, maxBuffer: 16 * 1024 * 1024 },
    );
    const line = stdout.split("\n").find((l) => l.startsWith("SUMMARY ")) ?? "SUMMARY {}";
    const summary = JSON.parse(line.slice("SUMMARY ".length));

    expect(summary).toMatchObject({
      result: "reconciled",
      mode: "groups",
      kubeUser: `arn:aws:sts::000000000000:assumed-role/${role}/lambda`,
      groups: [expect.objectContaining({ group: `${s.namespace}/site`, changes: 0 })],
      errors: [],
    });
    expect(summary.awsCalls.mutating).toBe(0);
  });

  it("does nothing, and says so, while another holder has the Lease", async () => {
    const now = new V1MicroTime(Date.now());
    const current = await leases().readNamespacedLease(lease());
    await leases().replaceNamespacedLease({
      ...lease(),
      body: {
        ...current,
        spec: {
          holderIdentity: "gannet-controller-7d9f",
          leaseDurationSeconds: 60,
          renewTime: now,
          acquireTime: now,
        },
      },
    });

    const summary = await invoke(scheduled);

    expect(summary).toMatchObject({
      result: "lease-held",
      message: expect.stringMatching(/held by another Gannet .*nothing done/),
      passes: 0,
      groups: [],
      changes: 0,
      awsCalls: { total: 0, mutating: 0 },
    });
    expect((await leases().readNamespacedLease(lease())).spec?.holderIdentity).toBe("gannet-controller-7d9f");
    await leases().deleteNamespacedLease(lease());
  });

  it("removes every AWS resource of the examples once their Ingresses are deleted", async () => {
    await s.kube.networking.deleteCollectionNamespacedIngress({ namespace: s.namespace });

    const summary = await invoke({ resync: true, watchSeconds: 0 });

    expect(summary).toMatchObject({ result: "reconciled", mode: "resync", errors: [] });
    expect(summary.awsCalls.byOperation["ElasticLoadBalancingV2:DeleteLoadBalancer"]).toBe(groups.length);
    const lbs = await s.rt.aws.elbv2.listLoadBalancers();
    expect(lbs.filter((lb) => lb.tags[TAG.cluster] === s.cluster)).toEqual([]);
    for (const ingress of ingresses) expect(await s.getIngress(ingress.metadata.name)).toBeUndefined();
  });

  /** The path patterns on the HTTP listener of the ALB with this DNS name. */
  async function pathsOnAlb(hostname: string | undefined): Promise<string[]> {
    const lb = (await s.rt.aws.elbv2.listLoadBalancers()).find((l) => l.dnsName === hostname);
    const listeners = await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.arn ?? "" }));
    const rules = await aws.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listeners.Listeners?.[0]?.ListenerArn ?? "" }),
    );
    return (rules.Rules ?? [])
      .flatMap((r) => r.Conditions ?? [])
      .flatMap((c) => c.PathPatternConfig?.Values ?? []);
  }
});

/** The members of examples/60-shop-trouble.yaml: wrong on purpose, with no address of their own. */
const TROUBLED = new Set(["shop-promo", "shop-typo"]);
