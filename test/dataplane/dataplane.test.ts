// Integration: real HTTP and HTTPS through the emulated ALB data plane, on an ALB built in LocalStack with
// plain ELBv2/ACM calls (rules with RegexValues and Transforms go through the project's ELBv2 plugin), to
// small backends on 127.1.250.x. The data plane runs in this process, serving only this test's ALB, on
// 127.2.128.x (the upper half of its address block, so a data plane started by start.sh never collides),
// with health checks ten times faster than AWS's (timeScale 0.1).

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { ACMClient, DeleteCertificateCommand, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  type Action,
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type RuleCondition,
  type RuleTransform,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Dataplane, type ServedListener } from "./dataplane.ts";
import { type EchoAnswer, type EchoBackend, startEchoBackend } from "./echo-backend.ts";

const suffix = randomBytes(3).toString("hex");
const albName = `gdp-${suffix}`;
const domain = `dp-${suffix}.example.com`;
const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const endpoint = inject("awsEndpoint");
const elbv2 = new ElasticLoadBalancingV2Client({ region, endpoint, credentials });
const ec2 = new EC2Client({ region, endpoint, credentials });
const acm = new ACMClient({ region, endpoint, credentials });

const backends: Record<string, EchoBackend> = {};
const groups: Record<string, string> = {};
const certificates: string[] = [];
const logs: string[] = [];
let dataplane: Dataplane;
let albArn = "";
let httpListener: ServedListener;
let httpsListener: ServedListener;
let listenerArn = "";

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  echo?: EchoAnswer;
}

function send(
  to: ServedListener,
  o: {
    host?: string;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    localAddress?: string;
    servername?: string;
    ca?: string;
  } = {},
): Promise<Reply & { peerNames?: string }> {
  return new Promise((resolve, reject) => {
    const options = {
      host: to.address,
      port: to.localPort,
      path: o.path ?? "/",
      method: o.method ?? "GET",
      headers: { host: o.host ?? `app.${domain}`, ...o.headers },
      agent: false as const,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    };
    const onResponse = (res: http.IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("error", reject);
      res.on("end", () => {
        const reply: Reply & { peerNames?: string } = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
        };
        if (res.headers["content-type"] === "application/json") reply.echo = JSON.parse(body) as EchoAnswer;
        const socket = res.socket as TLSSocket | null;
        if (socket && "getPeerCertificate" in socket)
          reply.peerNames = socket.getPeerCertificate().subjectaltname ?? "";
        resolve(reply);
      });
    };
    const req =
      to.protocol === "HTTPS"
        ? https.request(
            {
              ...options,
              servername: o.servername ?? "",
              ...(o.ca ? { ca: o.ca } : { rejectUnauthorized: false }),
            },
            onResponse,
          )
        : http.request(options, onResponse);
    req.on("error", reject);
    req.end();
  });
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const got = await fn().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; data plane log:\n${logs.slice(-20).join("\n")}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

const forward = (tg: string): Action[] => [{ Type: "forward", TargetGroupArn: groups[tg] ?? "" }];
const path = (...values: string[]): RuleCondition => ({
  Field: "path-pattern",
  PathPatternConfig: { Values: values },
});

async function rule(
  priority: number,
  conditions: RuleCondition[],
  actions: Action[],
  transforms?: RuleTransform[],
) {
  await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: priority,
      Conditions: conditions,
      Actions: actions,
      ...(transforms ? { Transforms: transforms } : {}),
    }),
  );
}

async function targetGroup(
  name: string,
  targets: EchoBackend[],
  extra: { port?: number; attributes?: Record<string, string> } = {},
) {
  const vpc = await seededSubnets();
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: `${albName}-${name}`,
      Protocol: "HTTP",
      Port: 80,
      VpcId: vpc.vpcId,
      TargetType: "ip",
      HealthCheckPath: "/healthz",
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: "200-299" },
    }),
  );
  const arn = tg.TargetGroups?.[0]?.TargetGroupArn ?? "";
  groups[name] = arn;
  const attributes = { "deregistration_delay.timeout_seconds": "5", ...extra.attributes };
  await elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: Object.entries(attributes).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  if (targets.length > 0 || extra.port)
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        // IPs outside the VPC register with AvailabilityZone "all", as AWS requires.
        Targets: targets.length
          ? targets.map((t) => ({ Id: t.ip, Port: t.port, AvailabilityZone: "all" }))
          : [{ Id: "127.1.250.99", Port: extra.port ?? 1, AvailabilityZone: "all" }],
      }),
    );
}

let subnetsCache: { vpcId: string; subnets: string[] } | undefined;
async function seededSubnets() {
  if (subnetsCache) return subnetsCache;
  const res = await ec2.send(
    new DescribeSubnetsCommand({
      Filters: [
        { Name: "tag:kubernetes.io/role/internal-elb", Values: ["1"] },
        { Name: "tag:gannet.io/testbed", Values: ["true"] },
      ],
    }),
  );
  const subnets = res.Subnets ?? [];
  if (subnets.length < 2)
    throw new Error("the seeded testbed subnets are missing: run bash localstack/start.sh (it seeds them)");
  subnetsCache = {
    vpcId: subnets[0]?.VpcId ?? "",
    subnets: subnets.slice(0, 2).map((s) => s.SubnetId ?? ""),
  };
  return subnetsCache;
}

beforeAll(async () => {
  const names = ["a", "b", "w1", "w2", "slow", "h1", "h2", "drain", "cut"];
  for (const [i, name] of names.entries())
    backends[name] = await startEchoBackend(name, `127.1.250.${i + 1}`);
  const { subnets } = await seededSubnets();
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: albName,
      Subnets: subnets,
      Scheme: "internal",
      Type: "application",
    }),
  );
  albArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
  await elbv2.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: albArn,
      Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "1" }],
    }),
  );
  const b = (n: string) => backends[n] as EchoBackend;
  await targetGroup("a", [b("a")]);
  await targetGroup("b", [b("b")]);
  await targetGroup("w1", [b("w1")]);
  await targetGroup("w2", [b("w2")]);
  await targetGroup("sticky1", [b("w1")]);
  await targetGroup("sticky2", [b("w2")]);
  await targetGroup("slow", [b("slow")]);
  await targetGroup("health", [b("h1"), b("h2")]);
  await targetGroup("drain", [b("drain")], { attributes: { "deregistration_delay.timeout_seconds": "10" } });
  await targetGroup("cut", [b("cut")], { attributes: { "deregistration_delay.timeout_seconds": "1" } });
  await targetGroup("stick", [b("w1"), b("w2")], {
    attributes: {
      "stickiness.enabled": "true",
      "stickiness.type": "lb_cookie",
      "stickiness.lb_cookie.duration_seconds": "60",
    },
  });
  await targetGroup("empty", []);
  // A port on 127.1.250.99 where nothing listens: connection refused.
  await targetGroup("refused", [], { port: 9 });

  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: albArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [
        {
          Type: "fixed-response",
          FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "no rule" },
        },
      ],
    }),
  );
  listenerArn = listener.Listeners?.[0]?.ListenerArn ?? "";
  await rule(1, [{ Field: "host-header", HostHeaderConfig: { Values: [`a.${domain}`] } }], forward("a"));
  await rule(
    2,
    [
      {
        Field: "host-header",
        HostHeaderConfig: { RegexValues: [`^b[0-9]+\\.dp-${suffix}\\.example\\.com$`] },
      },
    ],
    forward("b"),
  );
  await rule(
    3,
    [{ Field: "path-pattern", PathPatternConfig: { RegexValues: ["^/regex/[0-9]+$"] } }],
    forward("b"),
  );
  await rule(
    4,
    [
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Env", Values: ["beta"] } },
      path("/header*"),
    ],
    forward("b"),
  );
  await rule(
    5,
    [
      {
        Field: "http-header",
        HttpHeaderConfig: { HttpHeaderName: "X-Env", RegexValues: ["^canary-[a-z]+$"] },
      },
    ],
    forward("a"),
  );
  await rule(
    6,
    [{ Field: "http-request-method", HttpRequestMethodConfig: { Values: ["POST", "PUT"] } }, path("/method")],
    forward("b"),
  );
  await rule(
    7,
    [
      {
        Field: "query-string",
        QueryStringConfig: { Values: [{ Key: "version", Value: "v2" }, { Value: "beta*" }] },
      },
    ],
    forward("b"),
  );
  await rule(
    8,
    [{ Field: "source-ip", SourceIpConfig: { Values: ["127.1.250.200/32"] } }],
    [
      {
        Type: "fixed-response",
        FixedResponseConfig: { StatusCode: "200", ContentType: "text/plain", MessageBody: "from-source" },
      },
    ],
  );
  await rule(
    9,
    [path("/weighted")],
    [
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: groups.w1 ?? "", Weight: 1 },
            { TargetGroupArn: groups.w2 ?? "", Weight: 1 },
            { TargetGroupArn: groups.a ?? "", Weight: 0 },
          ],
        },
      },
    ],
  );
  await rule(
    10,
    [path("/sticky")],
    [
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: groups.sticky1 ?? "", Weight: 1 },
            { TargetGroupArn: groups.sticky2 ?? "", Weight: 1 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
        },
      },
    ],
  );
  await rule(
    11,
    [path("/redirect/*")],
    [
      {
        Type: "redirect",
        RedirectConfig: {
          Protocol: "HTTPS",
          Port: "443",
          Path: "/new/#{path}",
          Query: "#{query}&from=alb",
          StatusCode: "HTTP_301",
        },
      },
    ],
  );
  await rule(
    12,
    [path("/fixed")],
    [
      {
        Type: "fixed-response",
        FixedResponseConfig: { StatusCode: "418", ContentType: "text/plain", MessageBody: "teapot" },
      },
    ],
  );
  await rule(13, [path("/empty")], forward("empty"));
  await rule(14, [path("/refused")], forward("refused"));
  await rule(15, [path("/slow*")], forward("slow"));
  await rule(16, [path("/rewrite/*")], forward("a"), [
    {
      Type: "url-rewrite",
      UrlRewriteConfig: { Rewrites: [{ Regex: "^/rewrite/(.*)$", Replace: "/v2/$1" }] },
    },
    {
      Type: "host-header-rewrite",
      HostHeaderRewriteConfig: { Rewrites: [{ Regex: "^app\\.(.*)$", Replace: "internal.$1" }] },
    },
  ]);
  await rule(17, [path("/health")], forward("health"));
  await rule(18, [path("/drain*")], forward("drain"));
  await rule(19, [{ Field: "host-header", Values: [`*.${domain}`] }, path("/legacy")], forward("a"));
  await rule(20, [path("/cut*")], forward("cut"));
  await rule(21, [path("/lb-cookie")], forward("stick"));

  const main = await acm.send(
    new RequestCertificateCommand({
      DomainName: `app.${domain}`,
      SubjectAlternativeNames: [`app.${domain}`],
      ValidationMethod: "DNS",
    }),
  );
  const sni = await acm.send(
    new RequestCertificateCommand({ DomainName: `*.sni-${domain}`, ValidationMethod: "DNS" }),
  );
  certificates.push(main.CertificateArn ?? "", sni.CertificateArn ?? "");
  const tls = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: albArn,
      Protocol: "HTTPS",
      Port: 443,
      Certificates: [{ CertificateArn: main.CertificateArn ?? "" }],
      DefaultActions: forward("a"),
    }),
  );
  await elbv2.send(
    new AddListenerCertificatesCommand({
      ListenerArn: tls.Listeners?.[0]?.ListenerArn ?? "",
      Certificates: [{ CertificateArn: sni.CertificateArn ?? "" }],
    }),
  );

  dataplane = new Dataplane({
    endpoint,
    region,
    pollMs: 250,
    coldMs: 5000,
    hotWindowMs: 600_000,
    coldCallsPerSecond: 20,
    timeScale: 0.1,
    addressOffset: 32768,
    certDir: mkdtempSync(join(tmpdir(), "gannet-dataplane-test-")),
    filter: (name) => name === albName,
    log: (line) => logs.push(line),
  });
  await dataplane.start();
  [httpListener, httpsListener] = await eventually("both listeners served", async () => {
    const l = dataplane.listeners();
    const h = l.find((x) => x.port === 80);
    const s = l.find((x) => x.port === 443);
    return h && s ? [h, s] : undefined;
  });
  await eventually("the targets healthy", async () => {
    const health = dataplane.targetGroups().find((g) => g.arn === groups.health);
    return health?.targets.every((t) => t.state === "healthy") && health.targets.length === 2
      ? true
      : undefined;
  });
});

afterAll(async () => {
  await dataplane?.stop();
  if (albArn) await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: albArn }));
  for (const arn of Object.values(groups))
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })).catch(() => undefined);
  for (const arn of certificates)
    await acm.send(new DeleteCertificateCommand({ CertificateArn: arn })).catch(() => undefined);
  await Promise.all(Object.values(backends).map((b) => b.close()));
});

describe("the data plane serves the ALB's listeners", () => {
  it("on the ALB's own loopback address, the listener's port", () => {
    expect(httpListener.address).toMatch(/^127\.2\.1(2[89]|[3-9]\d)\.\d+$|^127\.2\.2[0-5]\d\.\d+$/);
    expect(httpListener.localPort).toBe(process.getuid?.() === 0 ? 80 : httpListener.localPort);
    expect(httpsListener.address).toBe(httpListener.address);
    expect(httpListener.dnsName).toBe(`${albName}-1.${region}.elb.amazonaws.com`);
  });

  it.each<[string, Parameters<typeof send>[1], string | number]>([
    ["host-header Values", { host: `a.${domain}` }, "a"],
    ["host-header Values ignore case and port", { host: `A.DP-${suffix}.example.com:80` }, "a"],
    ["host-header RegexValues", { host: `b42.${domain}` }, "b"],
    ["host-header RegexValues miss", { host: `bx.${domain}` }, 404],
    ["path-pattern RegexValues", { path: "/regex/123" }, "b"],
    ["path-pattern RegexValues anchored", { path: "/regex/123/x" }, 404],
    ["http-header and path (AND)", { path: "/header", headers: { "x-env": "BETA" } }, "b"],
    ["http-header without the path", { path: "/other", headers: { "x-env": "beta" } }, 404],
    ["http-header RegexValues", { headers: { "x-env": "canary-blue" } }, "a"],
    ["http-request-method", { path: "/method", method: "PUT" }, "b"],
    ["http-request-method miss", { path: "/method", method: "GET" }, 404],
    ["query-string key and value", { path: "/q?version=V2" }, "b"],
    ["query-string value only (OR)", { path: "/q?x=beta-1" }, "b"],
    ["query-string miss", { path: "/q?version=v3" }, 404],
    ["source-ip", { path: "/", localAddress: "127.1.250.200" }, 200],
    ["legacy Values and a wildcard host", { host: `x.${domain}`, path: "/legacy" }, "a"],
    ["the default action", { path: "/nothing" }, 404],
  ])("routes by %s", async (_name, request, expected) => {
    const reply = await send(httpListener, request);
    if (typeof expected === "string") {
      expect(reply.status).toBe(200);
      expect(reply.echo?.name).toBe(expected);
    } else expect(reply.status).toBe(expected);
  });

  it("answers fixed responses and source-ip rules with the configured body", async () => {
    expect(await send(httpListener, { path: "/fixed" })).toMatchObject({
      status: 418,
      body: "teapot",
      headers: { "content-type": "text/plain" },
    });
    expect((await send(httpListener, { localAddress: "127.1.250.200" })).body).toBe("from-source");
    expect((await send(httpListener, { path: "/nothing" })).body).toBe("no rule");
  });

  it("redirects with #{path} and #{query}", async () => {
    const reply = await send(httpListener, { host: `app.${domain}`, path: "/redirect/x/y?k=v" });
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe(`https://app.${domain}:443/new/redirect/x/y?k=v&from=alb`);
  });

  it("spreads weighted target groups, never to a weight of 0", async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const name = (await send(httpListener, { path: "/weighted" })).echo?.name ?? "?";
      seen.set(name, (seen.get(name) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(["w1", "w2"]);
    expect(seen.get("w1")).toBeGreaterThan(10);
    expect(seen.get("w2")).toBeGreaterThan(10);
  });

  it("keeps a client on its target group with the AWSALBTG cookie", async () => {
    const first = await send(httpListener, { path: "/sticky" });
    const cookie = String(first.headers["set-cookie"]?.find((c) => c.startsWith("AWSALBTG="))?.split(";")[0]);
    expect(cookie).toMatch(/^AWSALBTG=.+/);
    for (let i = 0; i < 10; i++)
      expect((await send(httpListener, { path: "/sticky", headers: { cookie } })).echo?.name).toBe(
        first.echo?.name,
      );
  });

  it("keeps a client on its target with the AWSALB cookie when the target group has stickiness", async () => {
    const first = await send(httpListener, { path: "/lb-cookie" });
    const cookie = String(first.headers["set-cookie"]?.find((c) => c.startsWith("AWSALB="))?.split(";")[0]);
    expect(cookie).toMatch(/^AWSALB=.+/);
    for (let i = 0; i < 6; i++)
      expect((await send(httpListener, { path: "/lb-cookie", headers: { cookie } })).echo?.name).toBe(
        first.echo?.name,
      );
    const without = new Set<string>();
    for (let i = 0; i < 6; i++)
      without.add((await send(httpListener, { path: "/lb-cookie" })).echo?.name ?? "");
    expect([...without].sort()).toEqual(["w1", "w2"]);
  });

  it("rewrites the URL and host for the target, and adds the forwarding headers", async () => {
    const reply = await send(httpListener, {
      host: `app.${domain}`,
      path: "/rewrite/users?page=2",
      headers: { "x-forwarded-for": "203.0.113.7" },
    });
    expect(reply.echo).toMatchObject({ name: "a", url: "/v2/users?page=2" });
    expect(reply.echo?.headers).toMatchObject({
      host: `internal.${domain}`,
      "x-forwarded-for": "203.0.113.7, 127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-port": "80",
    });
    expect(reply.echo?.headers["x-amzn-trace-id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it("answers 503 when the target group has no registered target", async () => {
    expect((await send(httpListener, { path: "/empty" })).status).toBe(503);
  });

  it("answers 502 when the target refuses the connection", async () => {
    expect((await send(httpListener, { path: "/refused" })).status).toBe(502);
    const served = dataplane.listeners().find((l) => l.listenerArn === httpListener.listenerArn);
    expect(served?.responses["502"]).toBeGreaterThanOrEqual(1);
    expect(logs).toContainEqual(
      expect.stringMatching(/target 127\.1\.250\.99:9 of .*-refused: ECONNREFUSED: 502/),
    );
  });

  it("answers 504 when the target is silent past the idle timeout", async () => {
    (backends.slow as EchoBackend).slowMs = 3000;
    const t0 = Date.now();
    expect((await send(httpListener, { path: "/slow" })).status).toBe(504);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(2900);
  });
});

describe("HTTPS", () => {
  const ca = () => readFileSync(dataplane.status().caCertificate, "utf8");

  it("presents the default certificate without a matching SNI name, verified by the data plane's CA", async () => {
    const reply = await send(httpsListener, { servername: `app.${domain}`, ca: ca() });
    expect(reply.status).toBe(200);
    expect(reply.echo?.headers["x-forwarded-proto"]).toBe("https");
    expect(reply.peerNames).toBe(`DNS:app.${domain}`);
    const other = await send(httpsListener, { servername: "unknown.example.org" });
    expect(other.peerNames).toBe(`DNS:app.${domain}`);
  });

  it("chooses the SNI certificate whose wildcard covers the name", async () => {
    const reply = await send(httpsListener, {
      host: `x.sni-${domain}`,
      servername: `x.sni-${domain}`,
      ca: ca(),
    });
    expect(reply.peerNames).toBe(`DNS:*.sni-${domain}`);
  });
});

describe("targets", () => {
  it("takes a target out when its health check fails and back when it recovers", async () => {
    const h1 = backends.h1 as EchoBackend;
    h1.healthy = false;
    await eventually("h1 unhealthy", async () =>
      dataplane
        .targetGroups()
        .find((g) => g.arn === groups.health)
        ?.targets.find((t) => t.id === h1.ip)?.state === "unhealthy"
        ? true
        : undefined,
    );
    for (let i = 0; i < 6; i++) expect((await send(httpListener, { path: "/health" })).echo?.name).toBe("h2");
    h1.healthy = true;
    await eventually("h1 healthy again", async () =>
      dataplane
        .targetGroups()
        .find((g) => g.arn === groups.health)
        ?.targets.find((t) => t.id === h1.ip)?.state === "healthy"
        ? true
        : undefined,
    );
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) names.add((await send(httpListener, { path: "/health" })).echo?.name ?? "");
    expect([...names].sort()).toEqual(["h1", "h2"]);
  });

  it("lets an in-flight request finish after DeregisterTargets, and sends no new one", async () => {
    const drain = backends.drain as EchoBackend;
    drain.slowMs = 4000;
    const inflight = send(httpListener, { path: "/drain/stream" });
    await eventually("the request in flight", async () => (drain.served > 0 ? true : undefined));
    await elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: groups.drain ?? "",
        Targets: [{ Id: drain.ip, Port: drain.port }],
      }),
    );
    await eventually("the target draining", async () =>
      dataplane.targetGroups().find((g) => g.arn === groups.drain)?.targets[0]?.state === "draining"
        ? true
        : undefined,
    );
    const servedBefore = drain.served;
    expect((await send(httpListener, { path: "/drain" })).status).toBe(503);
    expect(drain.served).toBe(servedBefore);
    const reply = await inflight;
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/^\.+done drain$/);
  });
});

describe("deregistration delay", () => {
  it("cuts a request still in flight when the delay is over", async () => {
    const cut = backends.cut as EchoBackend;
    cut.slowMs = 6000;
    const t0 = Date.now();
    const inflight = send(httpListener, { path: "/cut/stream" }).then(
      (r) => r.body,
      (err: Error) => err,
    );
    await eventually("the request in flight", async () => (cut.served > 0 ? true : undefined));
    await elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: groups.cut ?? "",
        Targets: [{ Id: cut.ip, Port: cut.port }],
      }),
    );
    const outcome = await inflight;
    expect(outcome).toBeInstanceOf(Error);
    expect(Date.now() - t0).toBeLessThan(5500);
    expect(logs.some((l) => l.includes("deregistration delay over, cutting 1 request"))).toBe(true);
  });
});

describe("figures", () => {
  it("serves a new rule soon after CreateRule", async () => {
    const t0 = Date.now();
    await rule(
      50,
      [path("/late")],
      [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "202", MessageBody: "late" } }],
    );
    await eventually("the new rule served", async () =>
      (await send(httpListener, { path: "/late" })).status === 202 ? true : undefined,
    );
    const ms = Date.now() - t0;
    console.log(`dataplane figure: CreateRule to serving ${ms} ms (poll every 250 ms)`);
    expect(ms).toBeLessThan(5000);
  });

  it("measures requests per second through one listener", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const total = 2000;
    let next = 0;
    let ok = 0;
    const t0 = Date.now();
    const worker = async () => {
      while (next++ < total) {
        const status = await new Promise<number>((resolve, reject) => {
          http
            .get(
              {
                host: httpListener.address,
                port: httpListener.localPort,
                path: "/",
                headers: { host: `a.${domain}` },
                agent,
              },
              (res) => {
                res.resume();
                res.on("end", () => resolve(res.statusCode ?? 0));
              },
            )
            .on("error", reject);
        });
        if (status === 200) ok++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const seconds = (Date.now() - t0) / 1000;
    agent.destroy();
    const memory = dataplane.status().memory;
    console.log(
      `dataplane figure: ${total} requests in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} req/s (16 connections, keep-alive, one Node process for client, data plane and backend); rss ${Math.round(memory.rssBytes / 2 ** 20)} MiB`,
    );
    expect(ok).toBe(total);
  });
});
