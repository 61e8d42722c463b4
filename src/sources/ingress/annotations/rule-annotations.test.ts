import { describe, expect, it } from "vitest";
import { alb, backend, ingress, path } from "../../../testing/test-fixtures.ts";
import {
  checkUnusedRuleAnnotations,
  readActionAnnotation,
  readConditionsAnnotation,
  readTransformsAnnotation,
} from "./rule-annotations.ts";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy/0123456789abcdef";
const field = (name: string) => `metadata.annotations['alb.ingress.kubernetes.io/${name}']`;
const withAnnotation = (name: string, value: string) => ingress("a", { annotations: alb({ [name]: value }) });

describe("actions.<name>: the formats AWS LBC accepts", () => {
  it.each([
    [
      "fixed-response",
      '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503","messageBody":"503 error text"}}',
      { type: "fixed-response", contentType: "text/plain", statusCode: "503", messageBody: "503 error text" },
    ],
    [
      "redirect, placeholders kept as written",
      '{"type":"redirect","redirectConfig":{"host":"#{host}","path":"/eks/#{path}","port":"443","protocol":"HTTPS","query":"k=v&#{query}","statusCode":"HTTP_302"}}',
      {
        type: "redirect",
        host: "#{host}",
        path: "/eks/#{path}",
        port: "443",
        protocol: "HTTPS",
        query: "k=v&#{query}",
        statusCode: "HTTP_302",
      },
    ],
    [
      "forward, simplified schema (legacy top-level targetGroupARN)",
      `{"type":"forward","targetGroupARN":"${ARN}"}`,
      { type: "forward", members: [{ targetGroupArn: ARN }] },
    ],
    [
      "forward, weighted, a port by name, by number and as a numeric string, and an ARN",
      `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1","servicePort":"http","weight":20},{"serviceName":"s2","servicePort":80,"weight":20},{"serviceName":"s3","servicePort":"8080","weight":0},{"targetGroupARN":"${ARN}","weight":60}]}}`,
      {
        type: "forward",
        members: [
          { serviceName: "s1", servicePort: "http", weight: 20 },
          { serviceName: "s2", servicePort: 80, weight: 20 },
          { serviceName: "s3", servicePort: 8080, weight: 0 },
          { targetGroupArn: ARN, weight: 60 },
        ],
      },
    ],
    [
      "forward with stickiness, keys in any case (as AWS LBC's own example writes them)",
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1","servicePort":"80","weight":50},{"serviceName":"s2","servicePort":"80","weight":50}],"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":120}}}',
      {
        type: "forward",
        members: [
          { serviceName: "s1", servicePort: 80, weight: 50 },
          { serviceName: "s2", servicePort: 80, weight: 50 },
        ],
        stickiness: { enabled: true, durationSeconds: 120 },
      },
    ],
    [
      "forward with stickiness disabled",
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1","servicePort":80}],"targetGroupStickinessConfig":{"enabled":false}}}',
      { type: "forward", members: [{ serviceName: "s1", servicePort: 80 }] },
    ],
  ])("%s", (_, value, parsed) => {
    const read = readActionAnnotation(withAnnotation("actions.x", value), "x");
    expect(read).toEqual({ present: true, ok: true, value: parsed, warnings: [] });
  });

  it.each([
    ["malformed JSON", '{"type":"fixed-response",', "", "is not valid JSON"],
    ["not an object", '["forward"]', "", "must be a JSON object"],
    ["an unknown type", '{"type":"authenticate-oidc"}', ".type", '"authenticate-oidc" is not an action type'],
    ["no type", '{"fixedResponseConfig":{"statusCode":"503"}}', ".type", "is required"],
    [
      "no config",
      '{"type":"fixed-response"}',
      ".fixedResponseConfig",
      "is required for a fixed-response action",
    ],
    [
      "a status code that is a number",
      '{"type":"fixed-response","fixedResponseConfig":{"statusCode":503}}',
      ".fixedResponseConfig.statusCode",
      "must be a string",
    ],
    [
      "a 3XX fixed response",
      '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"302"}}',
      ".fixedResponseConfig.statusCode",
      "2XX, 4XX or 5XX",
    ],
    [
      "an unknown content type",
      '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"200","contentType":"image/png"}}',
      ".fixedResponseConfig.contentType",
      "must be one of text/plain",
    ],
    [
      "a 307 redirect",
      '{"type":"redirect","redirectConfig":{"statusCode":"HTTP_307"}}',
      ".redirectConfig.statusCode",
      '"HTTP_301" or "HTTP_302"',
    ],
    [
      "a redirect path without /",
      '{"type":"redirect","redirectConfig":{"statusCode":"HTTP_301","path":"new"}}',
      ".redirectConfig.path",
      'must begin with "/"',
    ],
    [
      "a redirect port out of range",
      '{"type":"redirect","redirectConfig":{"statusCode":"HTTP_301","port":"70000"}}',
      ".redirectConfig.port",
      'from "1" to "65535"',
    ],
    ["forward with nothing", '{"type":"forward"}', ".forwardConfig", "is required for a forward action"],
    [
      "forward with both forms",
      `{"type":"forward","targetGroupARN":"${ARN}","forwardConfig":{"targetGroups":[{"targetGroupARN":"${ARN}"}]}}`,
      ".targetGroupARN",
      "use either targetGroupARN or forwardConfig",
    ],
    [
      "weights missing with several target groups",
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1","servicePort":80},{"serviceName":"s2","servicePort":80,"weight":1}]}}',
      ".forwardConfig.targetGroups[0].weight",
      "is required when forwarding to several target groups",
    ],
    [
      "a weight over 999",
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1","servicePort":80,"weight":1000}]}}',
      ".forwardConfig.targetGroups[0].weight",
      "from 0 to 999",
    ],
    [
      "six target groups",
      `{"type":"forward","forwardConfig":{"targetGroups":[${Array(6).fill('{"serviceName":"s","servicePort":80,"weight":1}').join(",")}]}}`,
      ".forwardConfig.targetGroups",
      "at most 5 target groups",
    ],
    [
      "a Service without port",
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1"}]}}',
      ".forwardConfig.targetGroups[0].servicePort",
      "is required with serviceName",
    ],
    [
      "both a Service and an ARN",
      `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1","servicePort":80,"targetGroupARN":"${ARN}"}]}}`,
      ".forwardConfig.targetGroups[0]",
      "either serviceName or targetGroupARN",
    ],
    [
      "a target group by name",
      '{"type":"forward","targetGroupName":"legacy"}',
      ".targetGroupName",
      "is not supported by Gannet",
    ],
    [
      "not an ARN",
      '{"type":"forward","targetGroupARN":"arn-of-your-target-group"}',
      ".targetGroupARN",
      "must be a target group ARN",
    ],
    [
      "stickiness without a duration",
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"s1","servicePort":80}],"targetGroupStickinessConfig":{"enabled":true}}}',
      ".forwardConfig.targetGroupStickinessConfig.durationSeconds",
      "is required when stickiness is enabled",
    ],
  ])("%s → a Problem naming where", (_, value, path, message) => {
    const read = readActionAnnotation(withAnnotation("actions.x", value), "x");
    expect(read).toEqual({
      present: true,
      ok: false,
      field: `${field("actions.x")}${path}`,
      raw: value,
      message: expect.stringContaining(message),
    });
  });

  it("warns on keys it does not know, and still uses the action", () => {
    const value =
      '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"404","contentTyp":"text/html"}}';
    const read = readActionAnnotation(withAnnotation("actions.x", value), "x");
    expect(read).toEqual({
      present: true,
      ok: true,
      value: { type: "fixed-response", statusCode: "404" },
      warnings: [
        {
          ingress: "apps/a",
          field: `${field("actions.x")}.fixedResponseConfig.contentTyp`,
          value,
          message: expect.stringContaining("is ignored: check its spelling"),
          scope: "rule",
        },
      ],
    });
  });

  it("is absent without the annotation", () => {
    expect(readActionAnnotation(ingress("a"), "x")).toEqual({ present: false });
  });
});

describe("conditions.<name>: every field, values or regexValues", () => {
  it.each([
    [
      '[{"field":"host-header","hostHeaderConfig":{"values":["anno.example.com"]}}]',
      [{ field: "host-header", values: ["anno.example.com"] }],
    ],
    [
      '[{"field":"host-header","hostHeaderConfig":{"regexValues":["^(.+)\\\\.example\\\\.com"]}}]',
      [{ field: "host-header", values: [], regexValues: ["^(.+)\\.example\\.com"] }],
    ],
    [
      '[{"field":"path-pattern","pathPatternConfig":{"values":["/anno/path2"]}}]',
      [{ field: "path-pattern", values: ["/anno/path2"] }],
    ],
    [
      '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"HeaderName","values":["HeaderValue1","HeaderValue2"]}}]',
      [{ field: "http-header", headerName: "HeaderName", values: ["HeaderValue1", "HeaderValue2"] }],
    ],
    [
      '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"User-Agent","regexValues":[".+Chrome.+"]}}]',
      [{ field: "http-header", headerName: "User-Agent", values: [], regexValues: [".+Chrome.+"] }],
    ],
    [
      '[{"field":"http-request-method","httpRequestMethodConfig":{"Values":["GET","HEAD"]}}]',
      [{ field: "http-request-method", values: ["GET", "HEAD"] }],
    ],
    [
      '[{"field":"query-string","queryStringConfig":{"values":[{"key":"paramA","value":"valueA1"},{"value":"valueA2"}]}}]',
      [{ field: "query-string", values: [{ key: "paramA", value: "valueA1" }, { value: "valueA2" }] }],
    ],
    [
      '[{"field":"source-ip","sourceIpConfig":{"values":["192.168.0.0/16","172.16.0.0/16"]}}]',
      [{ field: "source-ip", values: ["192.168.0.0/16", "172.16.0.0/16"] }],
    ],
    [
      '[{"field":"source-ip","sourceIPConfig":{"values":["2001:DB8::/32"]}}]',
      [{ field: "source-ip", values: ["2001:db8::/32"] }],
    ],
    [
      '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"H","values":["v"]}},{"field":"query-string","queryStringConfig":{"values":[{"key":"a","value":"1"}]}},{"field":"query-string","queryStringConfig":{"values":[{"key":"b","value":"2"}]}}]',
      [
        { field: "http-header", headerName: "H", values: ["v"] },
        { field: "query-string", values: [{ key: "a", value: "1" }] },
        { field: "query-string", values: [{ key: "b", value: "2" }] },
      ],
    ],
  ])("%s", (value, conditions) => {
    const read = readConditionsAnnotation(withAnnotation("conditions.x", value), "x");
    expect(read).toEqual({ present: true, ok: true, value: conditions, warnings: [] });
  });

  it.each([
    ["malformed JSON", "[{field:host-header}]", "", "is not valid JSON"],
    ["an object, not a list", '{"field":"host-header"}', "", "must be a JSON array"],
    ["an unknown field", '[{"field":"cookie"}]', "[0].field", '"cookie" is not a condition field'],
    ["no config", '[{"field":"source-ip"}]', "[0].sourceIpConfig", "is required for a source-ip condition"],
    [
      "values and regexValues",
      '[{"field":"path-pattern","pathPatternConfig":{"values":["/a"],"regexValues":["^/a$"]}}]',
      "[0].pathPatternConfig",
      "exactly one of values",
    ],
    [
      "neither",
      '[{"field":"host-header","hostHeaderConfig":{"values":[]}}]',
      "[0].hostHeaderConfig",
      "exactly one of values",
    ],
    [
      "a host glob with a port",
      '[{"field":"host-header","hostHeaderConfig":{"values":["a.example.com:8443"]}}]',
      "[0].hostHeaderConfig.values[0]",
      "may hold only letters",
    ],
    [
      "a regex with a lookahead",
      '[{"field":"path-pattern","pathPatternConfig":{"regexValues":["^/(?!admin)"]}}]',
      "[0].pathPatternConfig.regexValues[0]",
      "lookaheads",
    ],
    [
      "a regex that does not compile",
      '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"H","regexValues":["(a"]}}]',
      "[0].httpHeaderConfig.regexValues[0]",
      "is not a regular expression",
    ],
    [
      "a Host header condition",
      '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"Host","values":["a"]}}]',
      "[0].httpHeaderConfig.httpHeaderName",
      "use a host-header condition",
    ],
    [
      "a lowercase method",
      '[{"field":"http-request-method","httpRequestMethodConfig":{"values":["get"]}}]',
      "[0].httpRequestMethodConfig.values[0]",
      "capital letters",
    ],
    [
      "an empty query value",
      '[{"field":"query-string","queryStringConfig":{"values":[{"key":"a","value":""}]}}]',
      "[0].queryStringConfig.values[0].value",
      "must not be empty",
    ],
    [
      "a CIDR with host bits",
      '[{"field":"source-ip","sourceIpConfig":{"values":["10.0.0.1/8"]}}]',
      "[0].sourceIpConfig.values[0]",
      "has host bits set",
    ],
  ])("%s → a Problem naming where", (_, value, path, message) => {
    const read = readConditionsAnnotation(withAnnotation("conditions.x", value), "x");
    expect(read).toEqual({
      present: true,
      ok: false,
      field: `${field("conditions.x")}${path}`,
      raw: value,
      message: expect.stringContaining(message),
    });
  });
});

describe("transforms.<name>", () => {
  it.each([
    [
      '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^\\\\/api\\\\/(.+)$","replace":"/$1"}]}}]',
      [{ type: "url-rewrite", rewrites: [{ regex: "^\\/api\\/(.+)$", replace: "/$1" }] }],
    ],
    [
      '[{"type":"host-header-rewrite","hostHeaderRewriteConfig":{"rewrites":[{"regex":"^(.+)\\\\.example\\\\.com$","replace":"$1.example.org"}]}},{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/a$","replace":"/b"}]}}]',
      [
        {
          type: "host-header-rewrite",
          rewrites: [{ regex: "^(.+)\\.example\\.com$", replace: "$1.example.org" }],
        },
        { type: "url-rewrite", rewrites: [{ regex: "^/a$", replace: "/b" }] },
      ],
    ],
  ])("%s", (value, transforms) => {
    const read = readTransformsAnnotation(withAnnotation("transforms.x", value), "x");
    expect(read).toEqual({ present: true, ok: true, value: transforms, warnings: [] });
  });

  it.each([
    ["an unknown type", '[{"type":"query-rewrite"}]', "[0].type", '"query-rewrite" is not a transform type'],
    [
      "no config",
      '[{"type":"url-rewrite"}]',
      "[0].urlRewriteConfig",
      "is required for a url-rewrite transform",
    ],
    [
      "no rewrites",
      '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[]}}]',
      "[0].urlRewriteConfig.rewrites",
      "at least one rewrite",
    ],
    [
      "two url-rewrites",
      '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"a","replace":"b"}]}},{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"c","replace":"d"}]}}]',
      "[1].type",
      "at most one url-rewrite",
    ],
    [
      "a backreference",
      '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"(a)\\\\1","replace":"b"}]}}]',
      "[0].urlRewriteConfig.rewrites[0].regex",
      "backreference",
    ],
  ])("%s → a Problem naming where", (_, value, path, message) => {
    const read = readTransformsAnnotation(withAnnotation("transforms.x", value), "x");
    expect(read).toEqual({
      present: true,
      ok: false,
      field: `${field("transforms.x")}${path}`,
      raw: value,
      message: expect.stringContaining(message),
    });
  });
});

describe("checkUnusedRuleAnnotations", () => {
  it("warns on annotations no path names, and on conditions for the default backend only", () => {
    const ing = ingress("a", {
      annotations: alb({
        "actions.web": "{}",
        "actions.typo": "{}",
        "conditions.fallback": "[]",
        "actions.fallback": "{}",
        "transforms.web": "[]",
      }),
      defaultBackend: backend("fallback", "use-annotation"),
      rules: [{ http: { paths: [path("/", "Prefix", backend("web", "use-annotation"))] } }],
    });
    expect(checkUnusedRuleAnnotations(ing).map((p) => [p.field, p.message])).toEqual([
      [
        field("actions.typo"),
        expect.stringContaining('no path of this Ingress has a backend with service name "typo"'),
      ],
      [
        field("conditions.fallback"),
        expect.stringContaining("conditions do not apply to the default backend"),
      ],
    ]);
  });
});
