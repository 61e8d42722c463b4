// actions.<name>, conditions.<name> and transforms.<name> on the real testbed: an Ingress with a weighted
// canary (two Services, stickiness), a redirect, a fixed response, a forward to a target group Gannet
// does not own, a path narrowed by a header and a query string with a URL rewrite, one narrowed by
// source IP and method, and a one-label wildcard host. The rules read back from LocalStack equal the
// desired ones field by field, requests reach what the Ingress says through the evaluator (under both
// readings of AWS's regex rules), a second pass changes nothing, and deleting the Ingress leaves the
// foreign target group alone.

import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toSdkAction, toSdkCondition, toSdkTransform } from "../src/aws/elbv2-convert.ts";
import type { DesiredRule } from "../src/model/desired.ts";
import { toObservedAction } from "../src/plan/compare.ts";
import { REGEX_READINGS } from "../src/testing/alb-match.oracle.ts";
import { type AlbRequest, evaluateListener, forwardTargets } from "./support/alb-evaluator.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();
// Hosts of this run only: the hosted zone is shared, and another test's records must not meet ours.
const RUN = uniqueSuffix();
const HOST = `app-${RUN}.gannet.example.com`;
const WILD = `w${RUN}.gannet.example.com`;

const use = (name: string) => ({ service: { name, port: { name: "use-annotation" } } });
const svc = (name: string) => ({ service: { name, port: { number: 80 } } });

function shopIngress(externalArn: string): V1Ingress {
  return {
    metadata: {
      name: "shop",
      annotations: {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/actions.weighted": JSON.stringify({
          type: "forward",
          forwardConfig: {
            targetGroups: [
              { serviceName: "stable", servicePort: 80, weight: 90 },
              { serviceName: "canary", servicePort: "http", weight: 10 },
            ],
            targetGroupStickinessConfig: { enabled: true, durationSeconds: 300 },
          },
        }),
        "alb.ingress.kubernetes.io/actions.moved":
          '{"type":"redirect","redirectConfig":{"host":"#{host}","path":"/new/#{path}","statusCode":"HTTP_301"}}',
        "alb.ingress.kubernetes.io/actions.maintenance":
          '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503","messageBody":"back soon"}}',
        "alb.ingress.kubernetes.io/actions.legacy": JSON.stringify({
          type: "forward",
          targetGroupARN: externalArn,
        }),
        "alb.ingress.kubernetes.io/conditions.api": JSON.stringify([
          { field: "http-header", httpHeaderConfig: { httpHeaderName: "X-Api-Version", values: ["v2"] } },
          { field: "query-string", queryStringConfig: { values: [{ key: "beta", value: "1" }] } },
        ]),
        "alb.ingress.kubernetes.io/conditions.admin": JSON.stringify([
          { field: "source-ip", sourceIpConfig: { values: ["10.0.0.0/8"] } },
          { field: "http-request-method", httpRequestMethodConfig: { values: ["GET", "HEAD"] } },
        ]),
        "alb.ingress.kubernetes.io/transforms.api": JSON.stringify([
          { type: "url-rewrite", urlRewriteConfig: { rewrites: [{ regex: "^/api/(.*)$", replace: "/$1" }] } },
        ]),
      },
    },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host: HOST,
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: use("weighted") },
              { path: "/old", pathType: "Prefix", backend: use("moved") },
              { path: "/maintenance", pathType: "Exact", backend: use("maintenance") },
              { path: "/legacy", pathType: "Prefix", backend: use("legacy") },
              { path: "/api", pathType: "Prefix", backend: svc("api") },
              { path: "/admin", pathType: "Exact", backend: svc("admin") },
            ],
          },
        },
        {
          host: `*.${WILD}`,
          http: { paths: [{ path: "/", pathType: "Prefix", backend: svc("stable") }] },
        },
      ],
    },
  };
}

async function listenerRules(hostname: string | undefined): Promise<Rule[]> {
  const lbs = await allLoadBalancers(aws.elbv2);
  const lb = lbs.find((l) => l.DNSName === hostname);
  const listeners =
    (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn ?? "" })))
      .Listeners ?? [];
  return (
    (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listeners[0]?.ListenerArn ?? "" })))
      .Rules ?? []
  );
}

async function targetsOf(arn: string): Promise<string[]> {
  const res = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (res.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? "").sort();
}

describe("custom actions, conditions and transforms on the real testbed", () => {
  const s = new Scenario();
  let externalArn = "";
  let hostname: string | undefined;
  let desiredRules: readonly DesiredRule[] = [];

  beforeAll(async () => {
    await s.setUp();
    const subnets =
      (
        await aws.ec2.send(
          new DescribeSubnetsCommand({ Filters: [{ Name: "tag-key", Values: ["kubernetes.io/role/elb"] }] }),
        )
      ).Subnets ?? [];
    const tg = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: `legacy-${uniqueSuffix()}`,
        Protocol: "HTTP",
        Port: 80,
        TargetType: "ip",
        VpcId: subnets[0]?.VpcId ?? "",
      }),
    );
    externalArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? "";
    await s.putBackend({ name: "stable", ready: ["10.30.1.10", "10.30.1.11"] });
    await s.putBackend({ name: "canary", ready: ["10.30.2.10"] });
    await s.putBackend({ name: "api", ready: ["10.30.3.10"] });
    await s.putBackend({ name: "admin", ready: ["10.30.4.10"] });
  });
  afterAll(async () => {
    s.tearDown();
    if (externalArn) await aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: externalArn }));
  });

  it("converges with no Problem", async () => {
    await s.putIngress(shopIngress(externalArn));

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => [o.error, o.desired.problems])).toEqual([[undefined, []]]);
    desiredRules = outcomes[0]?.desired.listeners[0]?.rules ?? [];
    hostname = (await s.getIngress("shop"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(hostname).toMatch(/\.elb\.amazonaws\.com$/);
  });

  it("reads back rules equal to the desired ones, field by field", async () => {
    const tgs = await s.rt.aws.elbv2.listTargetGroups();
    const arnOf = (key: string) =>
      tgs.find((t) => t.tags["gannet.io/cluster"] === s.cluster && t.key === key)?.arn;
    const rules = (await listenerRules(hostname))
      .filter((r) => !r.IsDefault)
      .sort((a, b) => Number(a.Priority) - Number(b.Priority));

    const expected = [...desiredRules]
      .sort((a, b) => a.order - b.order)
      .map((d, i) => ({
        Priority: String(i + 1),
        Conditions: d.conditions.map(toSdkCondition),
        Actions: d.actions.map((a, j) => toSdkAction(toObservedAction(a, arnOf), j + 1)),
        Transforms: d.transforms?.map(toSdkTransform),
      }));
    expect(
      rules.map((r) => ({
        Priority: r.Priority,
        Conditions: r.Conditions,
        Actions: r.Actions,
        Transforms: r.Transforms,
      })),
    ).toEqual(expected);

    // And the parts this test is about, spelled out.
    const all = JSON.stringify(rules);
    expect(all).toContain('"RegexValues":["^[aA][pP][pP]-');
    expect(all).toContain('"HttpHeaderName":"X-Api-Version"');
    expect(all).toContain('{"Key":"beta","Value":"1"}');
    expect(all).toContain('"Path":"/new/#{path}"');
    expect(all).toContain('"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":300}');
    expect(rules.flatMap((r) => r.Transforms ?? [])).toEqual([
      { Type: "url-rewrite", UrlRewriteConfig: { Rewrites: [{ Regex: "^/api/(.*)$", Replace: "/$1" }] } },
    ]);
  });

  it.each(REGEX_READINGS)("routes requests where the Ingress says (regex reading: %s)", async (reading) => {
    const rules = await listenerRules(hostname);
    const tgs = await s.rt.aws.elbv2.listTargetGroups();
    const keyOf = (arn: string) =>
      arn === externalArn ? "external" : (tgs.find((t) => t.arn === arn)?.key ?? arn);
    const route = async (request: AlbRequest) => {
      const actions = evaluateListener(rules, request, reading);
      const a = actions[0];
      if (a?.Type !== "forward")
        return { type: a?.Type, redirect: a?.RedirectConfig, fixed: a?.FixedResponseConfig };
      const targets = await Promise.all(
        forwardTargets(actions).map(async (t) => ({
          key: keyOf(t.arn),
          weight: t.weight,
          ips: await targetsOf(t.arn),
        })),
      );
      return { type: "forward", targets };
    };
    const ns = s.namespace;
    const weighted = {
      type: "forward",
      targets: [
        { key: `${ns}/stable:80`, weight: 90, ips: ["10.30.1.10", "10.30.1.11"] },
        { key: `${ns}/canary:http`, weight: 10, ips: ["10.30.2.10"] },
      ],
    };
    const api = { type: "forward", targets: [{ key: `${ns}/api:80`, weight: 1, ips: ["10.30.3.10"] }] };

    expect(await route({ host: HOST, path: "/" })).toEqual(weighted);
    expect(await route({ host: `${HOST.toUpperCase()}:8080`, path: "/cart" })).toEqual(weighted);
    expect(await route({ host: HOST, path: "/old/page" })).toMatchObject({
      type: "redirect",
      redirect: { StatusCode: "HTTP_301", Host: "#{host}", Path: "/new/#{path}" },
    });
    expect(await route({ host: HOST, path: "/maintenance" })).toMatchObject({
      type: "fixed-response",
      fixed: { StatusCode: "503", MessageBody: "back soon" },
    });
    expect(await route({ host: HOST, path: "/maintenance/x" })).toEqual(weighted);
    expect(await route({ host: HOST, path: "/legacy/a" })).toEqual({
      type: "forward",
      targets: [{ key: "external", weight: 1, ips: [] }],
    });
    const v2 = { headers: { "x-api-version": "V2" }, query: [["beta", "1"]] as const };
    expect(await route({ host: HOST, path: "/api/users", ...v2 })).toEqual(api);
    expect(await route({ host: HOST, path: "/api/users", headers: v2.headers })).toEqual(weighted);
    expect(await route({ host: HOST, path: "/api/users", query: v2.query })).toEqual(weighted);
    const admin = { type: "forward", targets: [{ key: `${ns}/admin:80`, weight: 1, ips: ["10.30.4.10"] }] };
    expect(await route({ host: HOST, path: "/admin", sourceIp: "10.1.2.3", method: "HEAD" })).toEqual(admin);
    expect(await route({ host: HOST, path: "/admin", sourceIp: "192.0.2.7", method: "GET" })).toEqual(
      weighted,
    );
    expect(await route({ host: HOST, path: "/admin", sourceIp: "10.1.2.3", method: "POST" })).toEqual(
      weighted,
    );
    expect(await route({ host: `x.${WILD}`, path: "/" })).toEqual({
      type: "forward",
      targets: [{ key: `${ns}/stable:80`, weight: 1, ips: ["10.30.1.10", "10.30.1.11"] }],
    });
    expect(await route({ host: `a.b.${WILD}`, path: "/" })).toMatchObject({
      type: "fixed-response",
      fixed: { StatusCode: "404" },
    });
  });

  it("makes no AWS change on a second pass", async () => {
    const { totals, outcomes } = await s.reconcile();

    expect(outcomes[0]?.planned).toEqual([]);
    expect(totals.mutating).toBe(0);
  });

  it("changes the canary's weight with one ModifyRule, and a rewrite removed with ResetTransforms", async () => {
    const ingress = shopIngress(externalArn);
    const annotations = { ...ingress.metadata?.annotations };
    annotations["alb.ingress.kubernetes.io/actions.weighted"] = (
      annotations["alb.ingress.kubernetes.io/actions.weighted"] ?? ""
    )
      .replace('"weight":90', '"weight":50')
      .replace('"weight":10', '"weight":50');
    delete annotations["alb.ingress.kubernetes.io/transforms.api"];
    await s.putIngress({ ...ingress, metadata: { ...ingress.metadata, annotations } });

    const { calls } = await s.reconcile();

    expect(calls["ElasticLoadBalancingV2:ModifyRule"]).toBe(2);
    const rules = await listenerRules(hostname);
    expect(rules.flatMap((r) => r.Transforms ?? [])).toEqual([]);
    expect(JSON.stringify(rules)).toContain('"Weight":50');
    expect((await s.reconcile()).totals.mutating).toBe(0);
  });

  it("deletes what it owns when the Ingress goes, and leaves the foreign target group untouched", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "shop", namespace: s.namespace });

    const { outcomes } = await s.reconcile([`${s.namespace}/shop`]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const tgs = await s.rt.aws.elbv2.listTargetGroups();
    expect(tgs.filter((t) => t.tags["gannet.io/cluster"] === s.cluster)).toEqual([]);
    const tags = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [externalArn] }));
    expect(tags.TagDescriptions?.[0]?.Tags ?? []).toEqual([]);
  });
});
