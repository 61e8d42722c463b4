import type { Rule, RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { compileCondition, compileRules, globToRegExp, hostName, queryPairs, selectRule } from "./match.ts";
import type { AlbRequest } from "./model.ts";

function request(over: Partial<AlbRequest> = {}): AlbRequest {
  return {
    method: "GET",
    host: "www.example.com",
    path: "/",
    query: "",
    headers: {},
    sourceIp: "127.0.0.1",
    ...over,
  };
}

describe("globs (Condition types for listener rules: * is 0 or more characters, ? exactly one)", () => {
  it.each([
    ["*.example.com", "www.example.com", true, true],
    ["*.example.com", "a.b.example.com", true, true],
    ["*.example.com", "example.com", true, false],
    ["?.example.com", "a.example.com", true, true],
    ["?.example.com", "ab.example.com", true, false],
    ["/img/*", "/img/a/b.png", false, true],
    ["/img/*", "/IMG/a.png", false, false],
    ["/api/v?/x", "/api/v1/x", false, true],
    ["a.b", "aXb", false, false],
  ])("%s against %s (case-insensitive %s): %s", (glob, value, ci, expected) => {
    expect(globToRegExp(glob, { caseInsensitive: ci }).test(value)).toBe(expected);
  });

  it("reads \\* and \\? as literal characters in query strings", () => {
    const re = globToRegExp("a\\*b\\?", { caseInsensitive: true, escapes: true });
    expect(re.test("a*b?")).toBe(true);
    expect(re.test("aXXbY")).toBe(false);
  });
});

describe("conditions", () => {
  const cases: [string, RuleCondition, Partial<AlbRequest>, boolean][] = [
    [
      "host Values, any case",
      { Field: "host-header", HostHeaderConfig: { Values: ["WWW.example.com"] } },
      { host: "www.Example.COM" },
      true,
    ],
    [
      "host Values ignore the port",
      { Field: "host-header", HostHeaderConfig: { Values: ["www.example.com"] } },
      { host: "www.example.com:8080" },
      true,
    ],
    [
      "host legacy Values",
      { Field: "host-header", Values: ["*.example.com"] },
      { host: "api.example.com" },
      true,
    ],
    [
      "host: one of up to five values (OR)",
      { Field: "host-header", HostHeaderConfig: { Values: ["a.example.com", "b.example.com"] } },
      { host: "b.example.com" },
      true,
    ],
    [
      "host: none of the values",
      { Field: "host-header", HostHeaderConfig: { Values: ["a.example.com", "b.example.com"] } },
      { host: "c.example.com" },
      false,
    ],
    [
      "host RegexValues",
      { Field: "host-header", HostHeaderConfig: { RegexValues: ["^(.+)\\.example\\.com$"] } },
      { host: "api.example.com" },
      true,
    ],
    [
      "host RegexValues see the header as sent (port)",
      { Field: "host-header", HostHeaderConfig: { RegexValues: ["^api\\.example\\.com$"] } },
      { host: "api.example.com:8080" },
      false,
    ],
    [
      "host RegexValues are case-sensitive as written",
      { Field: "host-header", HostHeaderConfig: { RegexValues: ["^api\\.example\\.com$"] } },
      { host: "API.example.com" },
      false,
    ],
    [
      "path, case-sensitive",
      { Field: "path-pattern", PathPatternConfig: { Values: ["/Img/*"] } },
      { path: "/img/x" },
      false,
    ],
    [
      "path applies to the path only, not the query",
      { Field: "path-pattern", PathPatternConfig: { Values: ["/search"] } },
      { path: "/search", query: "q=1" },
      true,
    ],
    ["path legacy Values", { Field: "path-pattern", Values: ["/api/*"] }, { path: "/api/v1" }, true],
    [
      "path RegexValues search the path",
      { Field: "path-pattern", PathPatternConfig: { RegexValues: ["/v[0-9]+/"] } },
      { path: "/api/v2/users" },
      true,
    ],
    [
      "path RegexValues anchored",
      { Field: "path-pattern", PathPatternConfig: { RegexValues: ["^/v[0-9]+$"] } },
      { path: "/api/v2" },
      false,
    ],
    [
      "header name and value case-insensitive",
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "User-Agent", Values: ["*chrome*"] } },
      { headers: { "user-agent": ["Mozilla Chrome/1"] } },
      true,
    ],
    [
      "header absent",
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Env", Values: ["*"] } },
      {},
      false,
    ],
    [
      "header RegexValues",
      {
        Field: "http-header",
        HttpHeaderConfig: { HttpHeaderName: "X-Env", RegexValues: ["^(canary|beta)$"] },
      },
      { headers: { "x-env": ["beta"] } },
      true,
    ],
    [
      "method exact",
      { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["GET", "HEAD"] } },
      { method: "HEAD" },
      true,
    ],
    [
      "method case-sensitive",
      { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["POST"] } },
      { method: "post" },
      false,
    ],
    [
      "custom method",
      { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["CUSTOM-METHOD"] } },
      { method: "CUSTOM-METHOD" },
      true,
    ],
    [
      "query key and value",
      { Field: "query-string", QueryStringConfig: { Values: [{ Key: "version", Value: "v1" }] } },
      { query: "a=b&version=V1" },
      true,
    ],
    [
      "query value without key",
      { Field: "query-string", QueryStringConfig: { Values: [{ Value: "*example*" }] } },
      { query: "q=my-example-1" },
      true,
    ],
    [
      "query key case-insensitive",
      { Field: "query-string", QueryStringConfig: { Values: [{ Key: "Lang", Value: "en" }] } },
      { query: "LANG=EN" },
      true,
    ],
    [
      "query: percent-decoded",
      { Field: "query-string", QueryStringConfig: { Values: [{ Key: "q", Value: "a b" }] } },
      { query: "q=a%20b" },
      true,
    ],
    [
      "query: no pair",
      { Field: "query-string", QueryStringConfig: { Values: [{ Key: "version", Value: "v1" }] } },
      { query: "version=v2" },
      false,
    ],
    [
      "source ip in CIDR",
      { Field: "source-ip", SourceIpConfig: { Values: ["127.1.250.0/24"] } },
      { sourceIp: "127.1.250.7" },
      true,
    ],
    [
      "source ip outside",
      { Field: "source-ip", SourceIpConfig: { Values: ["127.1.250.0/24", "10.0.0.0/8"] } },
      { sourceIp: "127.0.0.1" },
      false,
    ],
    [
      "source ip IPv4-mapped",
      { Field: "source-ip", SourceIpConfig: { Values: ["127.0.0.0/8"] } },
      { sourceIp: "::ffff:127.0.0.1" },
      true,
    ],
    [
      "source ip IPv6",
      { Field: "source-ip", SourceIpConfig: { Values: ["::1/128"] } },
      { sourceIp: "::1" },
      true,
    ],
  ];
  it.each(cases)("%s", (_name, condition, over, expected) => {
    expect(compileCondition(condition)(request(over))).toBe(expected);
  });

  it("refuses an unknown field", () => {
    expect(() => compileCondition({ Field: "cookie", Values: ["x"] })).toThrow(
      /unknown rule condition field "cookie"/,
    );
  });
});

describe("helpers", () => {
  it.each([
    ["www.example.com", "www.example.com"],
    ["www.example.com:8080", "www.example.com"],
    ["[::1]:80", "::1"],
    ["127.0.0.1:80", "127.0.0.1"],
  ])("host name of %s is %s", (header, name) => {
    expect(hostName(header)).toBe(name);
  });

  it("splits a query into decoded pairs", () => {
    expect(queryPairs("a=1&b&c=x%2Fy")).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "" },
      { key: "c", value: "x/y" },
    ]);
  });
});

describe("rule selection (Listener rules: priority order, then the default rule)", () => {
  const rule = (priority: string, conditions: RuleCondition[], body: string): Rule => ({
    Priority: priority,
    IsDefault: priority === "default",
    Conditions: conditions,
    Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "200", MessageBody: body } }],
  });
  // Given out of order, as DescribeRules may list them; "10" sorts before "9" as a string.
  const rules = compileRules([
    rule("default", [], "default"),
    rule("10", [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }], "api"),
    rule(
      "9",
      [
        { Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } },
        { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "x-canary", Values: ["yes"] } },
      ],
      "canary",
    ),
    rule("1", [{ Field: "host-header", HostHeaderConfig: { Values: ["admin.example.com"] } }], "admin"),
  ]);
  const body = (over: Partial<AlbRequest>) =>
    selectRule(rules, request(over))?.Actions?.[0]?.FixedResponseConfig?.MessageBody;

  it.each([
    ["the lowest priority first", { host: "admin.example.com", path: "/api/x" }, "admin"],
    ["every condition of a rule (AND)", { path: "/api/x", headers: { "x-canary": ["yes"] } }, "canary"],
    ["one condition failing skips the rule", { path: "/api/x", headers: { "x-canary": ["no"] } }, "api"],
    ["the default rule when none matches", { path: "/other" }, "default"],
  ])("%s", (_name, over, expected) => {
    expect(body(over)).toBe(expected);
  });

  it("a rule that cannot compile matches nothing and says why", () => {
    const [bad] = compileRules([
      rule("1", [{ Field: "path-pattern", PathPatternConfig: { RegexValues: ["("] } }], "bad"),
    ]);
    expect(bad?.error).toMatch(/Invalid regular expression/);
    expect(bad?.matches(request())).toBe(false);
  });
});
