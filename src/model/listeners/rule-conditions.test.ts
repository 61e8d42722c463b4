import { describe, expect, it } from "vitest";
import type { RuleCondition } from "../desired.ts";
import { hostGlobRegex, hostRegex } from "./alb-regex.ts";
import { buildRuleConditions, checkRuleQuotas } from "./rule-conditions.ts";

const header: RuleCondition = { field: "http-header", headerName: "X-Canary", values: ["on"] };
const prefix = { values: ["/api", "/api/*"] };

describe("buildRuleConditions", () => {
  it.each<[string, Parameters<typeof buildRuleConditions>[0], RuleCondition[]]>([
    [
      "an exact host: a regex; the path: globs",
      { host: "app.example.com", path: prefix, extra: [] },
      [
        { field: "host-header", values: [], regexValues: [hostRegex("app.example.com") ?? ""] },
        { field: "path-pattern", values: ["/api", "/api/*"] },
      ],
    ],
    [
      "no host: the path alone",
      { path: { values: ["/*"] }, extra: [] },
      [{ field: "path-pattern", values: ["/*"] }],
    ],
    [
      "a host too long for a regex: the glob AWS LBC writes",
      { host: "a-very-long-host-name-for-a-regex.example.com", path: prefix, extra: [] },
      [
        { field: "host-header", values: ["a-very-long-host-name-for-a-regex.example.com"] },
        { field: "path-pattern", values: ["/api", "/api/*"] },
      ],
    ],
    [
      "annotation host globs join the Ingress host (any of them), as regexes",
      {
        host: "app.example.com",
        path: { values: ["/*"] },
        extra: [{ field: "host-header", values: ["*.example.org"] }],
      },
      [
        {
          field: "host-header",
          values: [],
          regexValues: [hostRegex("app.example.com") ?? "", hostGlobRegex("*.example.org") ?? ""],
        },
        { field: "path-pattern", values: ["/*"] },
      ],
    ],
    [
      "annotation host regexes join too",
      {
        host: "app.example.com",
        path: { values: ["/*"] },
        extra: [{ field: "host-header", values: [], regexValues: ["^api[0-9]\\.example\\.org$"] }],
      },
      [
        {
          field: "host-header",
          values: [],
          regexValues: [hostRegex("app.example.com") ?? "", "^api[0-9]\\.example\\.org$"],
        },
        { field: "path-pattern", values: ["/*"] },
      ],
    ],
    [
      "annotation path globs join the path's",
      { path: { values: ["/a"] }, extra: [{ field: "path-pattern", values: ["/b"] }] },
      [{ field: "path-pattern", values: ["/a", "/b"] }],
    ],
    [
      "a regex path (use-regex-path-match) with annotation path regexes",
      {
        path: { regexValues: ["^/api/(.+)$"] },
        extra: [{ field: "path-pattern", values: [], regexValues: ["^/v2/.*$"] }],
      },
      [{ field: "path-pattern", values: [], regexValues: ["^/api/(.+)$", "^/v2/.*$"] }],
    ],
    [
      "other conditions come after host and path, in the annotation's order",
      {
        host: "*.example.com",
        path: { values: ["/x"] },
        extra: [{ field: "query-string", values: [{ key: "v", value: "2" }] }, header],
      },
      [
        { field: "host-header", values: [], regexValues: [hostRegex("*.example.com") ?? ""] },
        { field: "path-pattern", values: ["/x"] },
        { field: "query-string", values: [{ key: "v", value: "2" }] },
        header,
      ],
    ],
  ])("%s", (_, input, conditions) => {
    expect(buildRuleConditions(input)).toEqual({ ok: true, conditions });
  });

  it.each<[string, Parameters<typeof buildRuleConditions>[0], string]>([
    [
      "path regexes with the path's globs",
      { path: prefix, extra: [{ field: "path-pattern", values: [], regexValues: ["^/x$"] }] },
      "cannot join the path's wildcard values",
    ],
    [
      "host regexes with a host too long to be a regex",
      {
        host: "a-very-long-host-name-for-a-regex.example.com",
        path: prefix,
        extra: [{ field: "host-header", values: [], regexValues: ["^x$"] }],
      },
      "whose regex form would be longer than 128 characters",
    ],
    [
      "4 path values in one condition",
      { path: prefix, extra: [{ field: "path-pattern", values: ["/b", "/c"] }] },
      "would have 4 values",
    ],
    [
      "6 values in the rule",
      {
        host: "app.example.com",
        path: prefix,
        extra: [{ field: "http-header", headerName: "H", values: ["a", "b", "c"] }],
      },
      "6 condition values",
    ],
    [
      "two method conditions",
      {
        path: { values: ["/"] },
        extra: [
          { field: "http-request-method", values: ["GET"] },
          { field: "http-request-method", values: ["POST"] },
        ],
      },
      "at most one http-request-method condition",
    ],
  ])("%s → refused", (_, input, message) => {
    const built = buildRuleConditions(input);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.message).toContain(message);
  });
});

describe("checkRuleQuotas", () => {
  it("counts wildcards of glob values", () => {
    const conditions: RuleCondition[] = [
      { field: "path-pattern", values: ["/*/*/*"] },
      { field: "http-header", headerName: "H", values: ["*a?b*"] },
    ];
    expect(checkRuleQuotas(conditions)).toContain("6 wildcards");
    expect(checkRuleQuotas(conditions.slice(1))).toBeUndefined();
  });
});
