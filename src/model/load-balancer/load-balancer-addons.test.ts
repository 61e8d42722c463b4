import { describe, expect, it } from "vitest";
import { buildShop, endpointSlice, path, service, shopMember } from "../../testing/test-fixtures.ts";

const world = { services: [service("web")], slices: [endpointSlice("web", [{ ip: "10.0.0.1" }])] };
/** A member of group shop routing its own host, with annotations (`shopMember` adds the prefix). */
const member = (name: string, order: number, annotations: Record<string, string>) =>
  shopMember(name, order, {
    annotations,
    rules: [{ host: `${name}.example.com`, http: { paths: [path("/", "Prefix")] } }],
  });
const field = (name: string) => `metadata.annotations['alb.ingress.kubernetes.io/${name}']`;
const ACL = (n: number) =>
  `arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/acl-${n}/3ab78708-85b0-49d3-b4e1-7a9615a6613${n}`;

describe("load balancer and listener attributes, web ACL across a group", () => {
  it("merges the keys members state; a key stated twice must agree, the oldest member wins", () => {
    const desired = buildShop(
      [
        member("a", 1, { "load-balancer-attributes": "idle_timeout.timeout_seconds=120" }),
        member("b", 2, {
          "load-balancer-attributes": "idle_timeout.timeout_seconds=300,routing.http2.enabled=false",
        }),
      ],
      world,
    );

    expect(desired.loadBalancer?.attributes).toEqual({
      "idle_timeout.timeout_seconds": "120",
      "routing.http2.enabled": "false",
    });
    expect(desired.members).toEqual(["apps/a", "apps/b"]);
    expect(desired.problems).toEqual([
      {
        ingress: "apps/b",
        field: field("load-balancer-attributes"),
        value: "idle_timeout.timeout_seconds=300,routing.http2.enabled=false",
        message: expect.stringContaining(
          'attribute idle_timeout.timeout_seconds "300" conflicts with "120" set by apps/a',
        ),
        scope: "rule",
      },
    ]);
  });

  it("ignores a bad attribute annotation whole, keeps the member, and states nothing for the ALB", () => {
    const desired = buildShop(
      [
        member("a", 1, {
          "load-balancer-attributes": "idle_timeout.timeout_seconds=0,routing.http2.enabled=false",
        }),
      ],
      world,
    );

    expect(desired.loadBalancer?.attributes).toBeUndefined();
    expect(desired.members).toEqual(["apps/a"]);
    expect(desired.listeners[0]?.rules).toHaveLength(1);
    expect(desired.problems).toEqual([
      expect.objectContaining({
        field: field("load-balancer-attributes"),
        message: expect.stringContaining("the load balancer keeps its current attributes"),
        scope: "rule",
      }),
    ]);
  });

  it.each([
    { annotation: "listener-attributes.HTTP-80", listens: undefined, attributes: true, says: undefined },
    {
      annotation: "listener-attributes.HTTPS-80",
      listens: undefined,
      attributes: false,
      says: "the listener on port 80 is HTTP, not HTTPS",
    },
    {
      annotation: "listener-attributes.HTTP-8080",
      listens: undefined,
      attributes: false,
      says: "no listener on port 8080 (listeners: HTTP-80)",
    },
    // HTTPS waits for its certificate: the attributes apply once the listener exists, without a warning.
    {
      annotation: "listener-attributes.HTTPS-443",
      listens: '[{"HTTP":80},{"HTTPS":443}]',
      attributes: false,
      says: undefined,
    },
    {
      annotation: "listener-attributes.HTTP",
      listens: undefined,
      attributes: false,
      says: "must end in <Protocol>-<Port>",
    },
  ])("$annotation", ({ annotation, listens, attributes, says }) => {
    const desired = buildShop(
      [
        member("a", 1, {
          [annotation]: "routing.http.response.server.enabled=false",
          ...(listens ? { "listen-ports": listens } : {}),
        }),
      ],
      world,
    );

    expect(desired.listeners.find((l) => l.port === 80)?.attributes).toEqual(
      attributes ? { "routing.http.response.server.enabled": "false" } : undefined,
    );
    expect(desired.problems.map((p) => p.message)).toEqual(says ? [expect.stringContaining(says)] : []);
  });

  it.each([
    { values: [ACL(1)], webAcl: { arn: ACL(1) }, problems: 0 },
    { values: ["none"], webAcl: { none: true }, problems: 0 },
    { values: [ACL(1), ACL(1)], webAcl: { arn: ACL(1) }, problems: 0 },
    { values: [ACL(1), ACL(2)], webAcl: { arn: ACL(1) }, problems: 1 },
    { values: ["not-an-arn"], webAcl: undefined, problems: 1 },
    { values: [], webAcl: undefined, problems: 0 },
  ])("wafv2-acl-arn $values", ({ values, webAcl, problems }) => {
    const desired = buildShop(
      values.map((v, i) => member(`m${i}`, i, { "wafv2-acl-arn": v })),
      world,
    );

    expect(desired.loadBalancer?.webAcl).toEqual(webAcl);
    expect(desired.problems).toHaveLength(problems);
    expect(desired.members).toHaveLength(values.length || 0);
  });
});

describe("target-group-attributes", () => {
  it("puts the attributes on the target group; the Service's value replaces the Ingress's whole", () => {
    const annotated = {
      services: [
        service("web", undefined, {
          "alb.ingress.kubernetes.io/target-group-attributes": "slow_start.duration_seconds=60",
        }),
      ],
      slices: world.slices,
    };
    const a = member("a", 1, { "target-group-attributes": "deregistration_delay.timeout_seconds=30" });

    expect(buildShop([a], world).targetGroups[0]?.attributes).toEqual({
      "deregistration_delay.timeout_seconds": "30",
    });
    expect(buildShop([a], annotated).targetGroups[0]?.attributes).toEqual({
      "slow_start.duration_seconds": "60",
    });
  });

  it("ignores a bad value for that target group only, which keeps its current attributes", () => {
    const desired = buildShop(
      [member("a", 1, { "target-group-attributes": "stickiness.type=app_cookie" })],
      world,
    );

    expect(desired.targetGroups).toHaveLength(1);
    expect(desired.targetGroups[0]?.attributes).toBeUndefined();
    expect(desired.problems).toEqual([
      expect.objectContaining({
        field: field("target-group-attributes"),
        message: expect.stringContaining("keeps its current attributes"),
        scope: "rule",
      }),
    ]);
  });

  it("reports a second member's different Ingress-level attributes for a shared target group", () => {
    const desired = buildShop(
      [
        member("a", 1, { "target-group-attributes": "deregistration_delay.timeout_seconds=30" }),
        member("b", 2, { "target-group-attributes": "deregistration_delay.timeout_seconds=60" }),
      ],
      world,
    );

    expect(desired.targetGroups[0]?.attributes).toEqual({ "deregistration_delay.timeout_seconds": "30" });
    expect(desired.problems).toEqual([
      expect.objectContaining({
        ingress: "apps/b",
        field: field("target-group-attributes"),
        message: expect.stringContaining("takes its settings from apps/a"),
      }),
    ]);
  });
});
