import { describe, expect, it } from "vitest";
import type { DesiredRule, RuleAction } from "../model/desired.ts";
import type { ObservedRule } from "../types/alb.ts";
import { assignPriorities, planListenerRules } from "./rule-planner.ts";

const arnOf = (key: string) => `arn:tg/${key}`;
const forward = (key: string): RuleAction => ({
  type: "forward",
  targetGroups: [{ targetGroup: key, weight: 1 }],
});

function desiredRule(order: number, path: string, backend = "ns/web:80"): DesiredRule {
  return {
    order,
    conditions: [{ field: "path-pattern", values: [path] }],
    actions: [forward(backend)],
    source: { ingress: "ns/web", field: `spec.rules[0].http.paths[${order}]` },
  };
}

function observedRule(
  priority: number,
  path: string,
  opts: { backend?: string; owned?: boolean } = {},
): ObservedRule {
  return {
    arn: `arn:rule/${priority}-${path}`,
    priority,
    conditions: [{ field: "path-pattern", values: [path] }],
    actions: [
      { type: "forward", targetGroups: [{ targetGroupArn: arnOf(opts.backend ?? "ns/web:80"), weight: 1 }] },
    ],
    owned: opts.owned ?? true,
  };
}

describe("assignPriorities", () => {
  it.each([
    { count: 3, reserved: [], want: [1, 2, 3] },
    { count: 3, reserved: [1, 3], want: [2, 4, 5] },
    { count: 0, reserved: [1], want: [] },
  ])("packs $count rule(s) around reserved $reserved", ({ count, reserved, want }) => {
    expect(assignPriorities(count, new Set(reserved))).toEqual(want);
  });
});

describe("planListenerRules: rules kept in their last good state", () => {
  const keep = (rule: DesiredRule, fallback: RuleAction[] = []): DesiredRule => ({
    ...rule,
    actions: fallback,
    keepExisting: true,
  });
  const unavailable: RuleAction = { type: "fixed-response", statusCode: "503", contentType: "text/plain" };

  it("keeps an existing rule's actions, whatever the fallback says", () => {
    const desired = [keep(desiredRule(0, "/a"), [unavailable]), desiredRule(1, "/b")];
    const observed = [observedRule(1, "/a", { backend: "ns/old:80" }), observedRule(2, "/b")];
    expect(planListenerRules(80, desired, observed, arnOf)).toEqual([]);
  });

  it("still moves a kept rule to its rank", () => {
    const desired = [desiredRule(0, "/a/b"), keep(desiredRule(1, "/a"))];
    const observed = [observedRule(1, "/a")];
    expect(planListenerRules(80, desired, observed, arnOf).map((c) => c.kind)).toEqual([
      "setRulePriorities",
      "createRule",
    ]);
  });

  it("creates the fallback when no rule exists yet, and nothing without one", () => {
    const desired = [
      keep(desiredRule(0, "/a"), [unavailable]),
      keep(desiredRule(1, "/b")),
      desiredRule(2, "/c"),
    ];
    expect(planListenerRules(80, desired, [], arnOf)).toEqual([
      {
        kind: "createRule",
        port: 80,
        priority: 1,
        conditions: desired[0]?.conditions,
        actions: [unavailable],
        transforms: [],
      },
      {
        kind: "createRule",
        port: 80,
        priority: 2,
        conditions: desired[2]?.conditions,
        actions: desired[2]?.actions,
        transforms: [],
      },
    ]);
  });
});

describe("planListenerRules", () => {
  it("makes no change when rules already match", () => {
    const desired = [desiredRule(0, "/a"), desiredRule(1, "/b")];
    const observed = [observedRule(1, "/a"), observedRule(2, "/b")];

    expect(planListenerRules(80, desired, observed, arnOf)).toEqual([]);
  });

  it("creates every rule on an empty listener, at priorities 1..N", () => {
    const changes = planListenerRules(80, [desiredRule(1, "/b"), desiredRule(0, "/a")], [], arnOf);

    expect(
      changes.map((c) => (c.kind === "createRule" ? [c.priority, c.conditions[0]?.values[0]] : c.kind)),
    ).toEqual([
      [1, "/a"],
      [2, "/b"],
    ]);
  });

  it("changes a backend with one ModifyRule", () => {
    const changes = planListenerRules(
      80,
      [desiredRule(0, "/a", "ns/api:80")],
      [observedRule(1, "/a")],
      arnOf,
    );

    expect(changes).toEqual([
      expect.objectContaining({
        kind: "modifyRule",
        ruleArn: "arn:rule/1-/a",
        actions: [forward("ns/api:80")],
      }),
    ]);
  });

  it("changes a path with one ModifyRule of the rule at that priority", () => {
    const changes = planListenerRules(
      80,
      [desiredRule(0, "/a"), desiredRule(1, "/c")],
      [observedRule(1, "/a"), observedRule(2, "/b")],
      arnOf,
    );

    expect(changes.map((c) => c.kind)).toEqual(["modifyRule"]);
  });

  it("adds a path in the middle with one create and one batched reorder through free priorities", () => {
    const desired = [desiredRule(0, "/a"), desiredRule(1, "/b"), desiredRule(2, "/c")];
    const observed = [observedRule(1, "/a"), observedRule(2, "/c")];

    const changes = planListenerRules(80, desired, observed, arnOf);

    expect(changes.map((c) => c.kind)).toEqual(["setRulePriorities", "createRule"]);
    expect(changes[0]).toMatchObject({ priorities: [{ ruleArn: "arn:rule/2-/c", priority: 3 }] });
    expect(changes[1]).toMatchObject({ priority: 2 });
  });

  it("swaps two rules through temporary priorities kept in final order, since a held target priority is refused", () => {
    const desired = [desiredRule(0, "/b"), desiredRule(1, "/a")];
    const observed = [observedRule(1, "/a"), observedRule(2, "/b")];

    const changes = planListenerRules(80, desired, observed, arnOf);

    expect(changes).toEqual([
      {
        kind: "setRulePriorities",
        port: 80,
        priorities: [
          { ruleArn: "arn:rule/2-/b", priority: 49999 },
          { ruleArn: "arn:rule/1-/a", priority: 50000 },
        ],
      },
      {
        kind: "setRulePriorities",
        port: 80,
        priorities: [
          { ruleArn: "arn:rule/2-/b", priority: 1 },
          { ruleArn: "arn:rule/1-/a", priority: 2 },
        ],
      },
    ]);
  });

  it("deletes its own stale rules but never touches rules it does not own, whose priorities it skips", () => {
    const foreign = observedRule(1, "/manual", { owned: false });
    const observed = [foreign, observedRule(2, "/old")];

    const changes = planListenerRules(80, [desiredRule(0, "/a")], observed, arnOf);

    expect(changes.some((c) => "ruleArn" in c && c.ruleArn === foreign.arn)).toBe(false);
    expect(changes).toEqual([expect.objectContaining({ kind: "modifyRule", ruleArn: "arn:rule/2-/old" })]);
  });

  it("compares hosts case-insensitively and values in any order", () => {
    const desired: DesiredRule = {
      ...desiredRule(0, "/a"),
      conditions: [
        { field: "host-header", values: ["app.example.com"] },
        { field: "path-pattern", values: ["/a", "/a/*"] },
      ],
    };
    const observed: ObservedRule = {
      ...observedRule(1, "/a"),
      conditions: [
        { field: "path-pattern", values: ["/a/*", "/a"] },
        { field: "host-header", values: ["APP.example.com"] },
      ],
    };

    expect(planListenerRules(80, [desired], [observed], arnOf)).toEqual([]);
  });

  const REWRITE = [{ type: "url-rewrite" as const, rewrites: [{ regex: "^/a/(.*)$", replace: "/$1" }] }];
  const HOST_REGEX = "^[aA][pP][pP]\\.example\\.com(:[0-9]+)?$";
  const EXTERNAL = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy/0123456789abcdef";

  it.each<[string, Partial<DesiredRule>, Partial<ObservedRule>]>([
    [
      "regex hosts, header and query conditions",
      {
        conditions: [
          { field: "host-header", values: [], regexValues: [HOST_REGEX] },
          { field: "path-pattern", values: ["/a"] },
          { field: "http-header", headerName: "X-Canary", values: ["on"] },
          { field: "query-string", values: [{ key: "v", value: "2" }] },
        ],
      },
      {
        conditions: [
          { field: "query-string", values: [{ key: "v", value: "2" }] },
          { field: "http-header", headerName: "x-canary", values: ["on"] },
          { field: "path-pattern", values: ["/a"] },
          { field: "host-header", values: [], regexValues: [HOST_REGEX] },
        ],
      },
    ],
    ["transforms", { transforms: REWRITE }, { transforms: REWRITE }],
    [
      "weighted forward with stickiness and an external target group",
      {
        actions: [
          {
            type: "forward",
            targetGroups: [
              { targetGroup: "ns/web:80", weight: 90 },
              { targetGroupArn: EXTERNAL, weight: 10 },
            ],
            stickiness: { enabled: true, durationSeconds: 300 },
          },
        ],
      },
      {
        actions: [
          {
            type: "forward",
            targetGroups: [
              { targetGroupArn: EXTERNAL, weight: 10 },
              { targetGroupArn: arnOf("ns/web:80"), weight: 90 },
            ],
            stickiness: { enabled: true, durationSeconds: 300 },
          },
        ],
      },
    ],
  ])("makes no change when %s already match (a second reconcile is a no-op)", (_, desired, observed) => {
    const d: DesiredRule = { ...desiredRule(0, "/a"), ...desired };
    const o: ObservedRule = { ...observedRule(1, "/a"), ...observed };
    expect(planListenerRules(80, [d], [o], arnOf)).toEqual([]);
  });

  it.each<[string, Partial<DesiredRule>, Partial<ObservedRule>, boolean]>([
    ["a transform added", { transforms: REWRITE }, {}, false],
    ["a transform removed", {}, { transforms: REWRITE }, true],
    [
      "a rewrite changed",
      { transforms: [{ type: "url-rewrite", rewrites: [{ regex: "^/a/(.*)$", replace: "/v2/$1" }] }] },
      { transforms: REWRITE },
      false,
    ],
    [
      "a regex changed",
      { conditions: [{ field: "path-pattern", values: [], regexValues: ["^/a$"] }] },
      { conditions: [{ field: "path-pattern", values: [], regexValues: ["^/A$"] }] },
      false,
    ],
    [
      "a weight changed",
      {
        actions: [
          {
            type: "forward",
            targetGroups: [
              { targetGroup: "ns/web:80", weight: 50 },
              { targetGroup: "ns/canary:80", weight: 50 },
            ],
          },
        ],
      },
      {
        actions: [
          {
            type: "forward",
            targetGroups: [
              { targetGroupArn: arnOf("ns/web:80"), weight: 90 },
              { targetGroupArn: arnOf("ns/canary:80"), weight: 10 },
            ],
          },
        ],
      },
      false,
    ],
  ])("modifies the rule when %s", (_, desired, observed, reset) => {
    const d: DesiredRule = { ...desiredRule(0, "/a"), ...desired };
    const o: ObservedRule = { ...observedRule(1, "/a"), ...observed };
    expect(planListenerRules(80, [d], [o], arnOf)).toEqual([
      expect.objectContaining({
        kind: "modifyRule",
        ruleArn: o.arn,
        transforms: d.transforms ?? [],
        resetTransforms: reset,
      }),
    ]);
  });

  it("creates a rule with its transforms", () => {
    const changes = planListenerRules(80, [{ ...desiredRule(0, "/a"), transforms: REWRITE }], [], arnOf);
    expect(changes).toEqual([expect.objectContaining({ kind: "createRule", transforms: REWRITE })]);
  });
});
