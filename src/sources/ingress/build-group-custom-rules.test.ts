import { describe, expect, it } from "vitest";
import type { Ingress } from "../../model/kube-objects.ts";
import {
  backend,
  buildShop,
  endpointSlice,
  NS,
  path,
  service,
  shopMember,
} from "../../testing/test-fixtures.ts";

const ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/legacy/0123456789abcdef";
const services = [
  service("stable"),
  service("canary", [{ name: "http", port: 80, targetPort: 8080 }]),
  service("other"),
];
const slices = [
  endpointSlice("stable", [{ ip: "10.0.0.1" }]),
  endpointSlice("canary", [{ ip: "10.0.0.2" }], [{ name: "http", port: 8080 }]),
  endpointSlice("other", [{ ip: "10.0.0.3" }]),
];
const build = (members: Ingress[]) => buildShop(members, { services, slices });
const field = (name: string) => `metadata.annotations['alb.ingress.kubernetes.io/${name}']`;
const use = (name: string) => backend(name, "use-annotation");

const WEIGHTED = JSON.stringify({
  type: "forward",
  forwardConfig: {
    targetGroups: [
      { serviceName: "stable", servicePort: 80, weight: 90 },
      { serviceName: "canary", servicePort: "http", weight: 10 },
    ],
    targetGroupStickinessConfig: { enabled: true, durationSeconds: 300 },
  },
});

/** A member routing `paths` of host app.example.com, with `annotations`. */
function member(
  paths: ReturnType<typeof path>[],
  annotations: Record<string, string> = {},
  name = "app",
): Ingress {
  return shopMember(name, 1, {
    annotations,
    rules: [{ host: "app.example.com", http: { paths } }],
  });
}

const rulesOf = (members: Ingress[]) => build(members).listeners[0]?.rules ?? [];

describe("actions.<name>: weighted forward", () => {
  it("forwards to a target group per Service, with weights and stickiness, each with its pod IPs", () => {
    const desired = build([member([path("/", "Prefix", use("split"))], { "actions.split": WEIGHTED })]);

    expect(desired.problems).toEqual([]);
    expect(desired.listeners[0]?.rules[0]?.actions).toEqual([
      {
        type: "forward",
        targetGroups: [
          { targetGroup: `${NS}/stable:80`, weight: 90 },
          { targetGroup: `${NS}/canary:http`, weight: 10 },
        ],
        stickiness: { enabled: true, durationSeconds: 300 },
      },
    ]);
    expect(desired.targetGroups.map((t) => [t.key, t.targets])).toEqual([
      [`${NS}/canary:http`, [{ id: "10.0.0.2", port: 8080 }]],
      [`${NS}/stable:80`, [{ id: "10.0.0.1", port: 8080 }]],
    ]);
  });

  it("forwards to a target group it does not own by ARN, and builds none for it", () => {
    const action = JSON.stringify({ type: "forward", targetGroupARN: ARN });
    const desired = build([member([path("/", "Prefix", use("legacy"))], { "actions.legacy": action })]);

    expect(desired.listeners[0]?.rules[0]?.actions).toEqual([
      { type: "forward", targetGroups: [{ targetGroupArn: ARN, weight: 1 }] },
    ]);
    expect(desired.targetGroups).toEqual([]);
  });

  it("leaves out a member whose Service is missing, so the others keep serving", () => {
    const action = WEIGHTED.replace('"canary"', '"canaryy"');
    const desired = build([member([path("/", "Prefix", use("split"))], { "actions.split": action })]);

    expect(desired.listeners[0]?.rules[0]?.actions).toEqual([
      {
        type: "forward",
        targetGroups: [{ targetGroup: `${NS}/stable:80`, weight: 90 }],
        stickiness: { enabled: true, durationSeconds: 300 },
      },
    ]);
    expect(desired.problems).toEqual([
      {
        ingress: `${NS}/app`,
        field: `${field("actions.split")}.forwardConfig.targetGroups[1].serviceName`,
        value: "canaryy",
        message: expect.stringContaining("Service apps/canaryy not found; this target group is left out"),
        scope: "rule",
      },
    ]);
  });

  it("answers 503 when no member resolves", () => {
    const action = JSON.stringify({
      type: "forward",
      forwardConfig: { targetGroups: [{ serviceName: "stable", servicePort: 81 }] },
    });
    const desired = build([member([path("/", "Prefix", use("split"))], { "actions.split": action })]);

    expect(desired.listeners[0]?.rules[0]?.actions).toEqual([
      expect.objectContaining({ type: "fixed-response", statusCode: "503" }),
    ]);
    expect(desired.problems.map((p) => [p.field, p.value])).toEqual([
      [`${field("actions.split")}.forwardConfig.targetGroups[0].servicePort`, "81"],
    ]);
  });
});

describe("actions.<name>: redirect, fixed response, and bad input", () => {
  it("answers with the annotated redirect and fixed response; placeholders as written", () => {
    const rules = rulesOf([
      member([path("/old", "Prefix", use("moved")), path("/down", "Exact", use("maintenance"))], {
        "actions.moved":
          '{"type":"redirect","redirectConfig":{"path":"/new/#{path}","statusCode":"HTTP_301"}}',
        "actions.maintenance":
          '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"503","contentType":"text/plain","messageBody":"back soon"}}',
      }),
    ]);
    // The longest path first: /down (Exact) before /old (Prefix).
    expect(rules.map((r) => r.actions)).toEqual([
      [{ type: "fixed-response", statusCode: "503", contentType: "text/plain", messageBody: "back soon" }],
      [{ type: "redirect", statusCode: "HTTP_301", path: "/new/#{path}" }],
    ]);
  });

  it.each([
    ["a missing annotation", {}, `spec.rules[0].http.paths[0].backend.service.port.name`, "is missing"],
    ["malformed JSON", { "actions.moved": "{type: redirect}" }, field("actions.moved"), "is not valid JSON"],
  ])("%s → the path answers 503, the other path is untouched", (_, annotations, problemField, says) => {
    const desired = build([
      member([path("/old", "Prefix", use("moved")), path("/", "Prefix", backend("other", 80))], annotations),
    ]);

    expect(desired.listeners[0]?.rules.map((r) => [r.source.field, r.actions[0]?.type])).toEqual([
      ["spec.rules[0].http.paths[0]", "fixed-response"],
      ["spec.rules[0].http.paths[1]", "forward"],
    ]);
    expect(desired.listeners[0]?.rules[0]?.actions[0]).toMatchObject({ statusCode: "503" });
    expect(desired.problems).toEqual([
      expect.objectContaining({ field: problemField, message: expect.stringContaining(says), scope: "rule" }),
    ]);
  });

  it("takes the default backend's action from the annotation too", () => {
    const desired = build([
      shopMember("app", 1, {
        annotations: {
          "actions.gone": '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"410"}}',
        },
        defaultBackend: use("gone"),
        rules: [],
      }),
    ]);
    expect(desired.listeners[0]?.defaultActions).toEqual([{ type: "fixed-response", statusCode: "410" }]);
    expect(desired.problems).toEqual([]);
  });
});

describe("conditions.<name> and transforms.<name>", () => {
  const CANARY = '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["on"]}}]';

  it("adds the conditions, and ranks the narrowed path before the same path without them", () => {
    const rules = rulesOf([
      member([path("/", "Prefix", backend("stable", 80)), path("/", "Prefix", backend("canary", "http"))], {
        "conditions.canary": CANARY,
      }),
    ]);
    expect(rules.map((r) => [r.source.field, r.conditions.slice(1)])).toEqual([
      [
        "spec.rules[0].http.paths[1]",
        [
          { field: "path-pattern", values: ["/*"] },
          { field: "http-header", headerName: "X-Canary", values: ["on"] },
        ],
      ],
      ["spec.rules[0].http.paths[0]", [{ field: "path-pattern", values: ["/*"] }]],
    ]);
  });

  it("skips only the path of bad conditions (its requests fall to the next rule), with a Problem", () => {
    const desired = build([
      member([path("/", "Prefix", backend("stable", 80)), path("/", "Prefix", backend("canary", "http"))], {
        "conditions.canary": '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary"}}]',
      }),
    ]);
    expect(desired.listeners[0]?.rules.map((r) => r.source.field)).toEqual(["spec.rules[0].http.paths[0]"]);
    expect(desired.problems).toEqual([
      expect.objectContaining({
        field: `${field("conditions.canary")}[0].httpHeaderConfig`,
        message: expect.stringContaining("get no rule until this is fixed"),
      }),
    ]);
  });

  it("skips a path whose conditions would pass ALB's quota", () => {
    const desired = build([
      member([path("/api", "Prefix", backend("other", 80))], {
        "conditions.other":
          '[{"field":"query-string","queryStringConfig":{"values":[{"value":"a"},{"value":"b"},{"value":"c"}]}}]',
      }),
    ]);
    expect(desired.listeners[0]?.rules).toEqual([]);
    expect(desired.problems).toEqual([
      expect.objectContaining({
        field: field("conditions.other"),
        message: expect.stringContaining("6 condition values"),
      }),
    ]);
  });

  it("puts the transforms on the rule; bad ones make the path answer 503", () => {
    const rewrite =
      '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}}]';
    const good = rulesOf([
      member([path("/api", "Prefix", backend("other", 80))], { "transforms.other": rewrite }),
    ]);
    expect(good[0]?.transforms).toEqual([
      { type: "url-rewrite", rewrites: [{ regex: "^/api/(.*)$", replace: "/$1" }] },
    ]);

    const bad = build([
      member([path("/api", "Prefix", backend("other", 80))], { "transforms.other": "[{}]" }),
    ]);
    expect(bad.listeners[0]?.rules[0]?.actions[0]).toMatchObject({ statusCode: "503" });
    expect(bad.listeners[0]?.rules[0]?.transforms).toBeUndefined();
    expect(bad.problems).toEqual([
      expect.objectContaining({ field: `${field("transforms.other")}[0].type` }),
    ]);
  });

  it("matches ImplementationSpecific paths by regex with use-regex-path-match", () => {
    const rules = rulesOf([
      member([path("/^/api/v[0-9]+/(.*)$", "ImplementationSpecific", backend("other", 80))], {
        "use-regex-path-match": "true",
      }),
    ]);
    expect(rules[0]?.conditions[1]).toEqual({
      field: "path-pattern",
      values: [],
      regexValues: ["^/api/v[0-9]+/(.*)$"],
    });
  });
});

describe("a member's bad rule annotations never touch another member", () => {
  it("builds the healthy member's rules and target groups exactly as alone", () => {
    const healthy = shopMember("healthy", 2, {
      rules: [{ host: "b.example.com", http: { paths: [path("/", "Prefix", use("split"))] } }],
      annotations: { "actions.split": WEIGHTED },
    });
    const broken = member([path("/", "Prefix", use("split")), path("/x", "Prefix", backend("other", 80))], {
      "actions.split": "{",
      "conditions.other": "[{]",
    });
    const alone = build([healthy]);
    const together = build([broken, healthy]);

    const ofHealthy = (d: typeof alone) =>
      (d.listeners[0]?.rules ?? [])
        .filter((r) => r.source.ingress === `${NS}/healthy`)
        .map(({ order: _, ...r }) => r);
    expect(ofHealthy(together)).toEqual(ofHealthy(alone));
    expect(together.targetGroups).toEqual(alone.targetGroups);
    expect(together.problems.every((p) => p.ingress === `${NS}/app` && p.scope === "rule")).toBe(true);
  });
});

describe("actions.<name>: a target group named twice", () => {
  it("keeps the first entry and reports the second (AWS refuses duplicates)", () => {
    const action = JSON.stringify({
      type: "forward",
      forwardConfig: {
        targetGroups: [
          { serviceName: "stable", servicePort: 80, weight: 1 },
          { serviceName: "stable", servicePort: "80", weight: 2 },
        ],
      },
    });
    const desired = build([member([path("/", "Prefix", use("split"))], { "actions.split": action })]);

    expect(desired.listeners[0]?.rules[0]?.actions).toEqual([
      { type: "forward", targetGroups: [{ targetGroup: `${NS}/stable:80`, weight: 1 }] },
    ]);
    expect(desired.problems.map((p) => p.field)).toEqual([
      `${field("actions.split")}.forwardConfig.targetGroups[1]`,
    ]);
  });
});
