import { describe, expect, it } from "vitest";
import type { RuleCondition, RuleTransform } from "../model/desired.ts";
import type { ObservedAction } from "../types/alb.ts";
import {
  fromSdkAction,
  fromSdkCondition,
  fromSdkTransform,
  toSdkAction,
  toSdkCondition,
  toSdkTransform,
} from "./elbv2-convert.ts";

describe("conditions: model ↔ ELBv2 API", () => {
  it.each<[RuleCondition, object]>([
    [
      { field: "host-header", values: [], regexValues: ["^[aA]\\.example\\.com(:[0-9]+)?$"] },
      { Field: "host-header", HostHeaderConfig: { RegexValues: ["^[aA]\\.example\\.com(:[0-9]+)?$"] } },
    ],
    [
      { field: "host-header", values: ["a.example.com"] },
      { Field: "host-header", HostHeaderConfig: { Values: ["a.example.com"] } },
    ],
    [
      { field: "path-pattern", values: [], regexValues: ["^/api/(.+)$"] },
      { Field: "path-pattern", PathPatternConfig: { RegexValues: ["^/api/(.+)$"] } },
    ],
    [
      { field: "http-header", headerName: "User-Agent", values: [], regexValues: [".+Chrome.+"] },
      {
        Field: "http-header",
        HttpHeaderConfig: { HttpHeaderName: "User-Agent", RegexValues: [".+Chrome.+"] },
      },
    ],
    [
      { field: "http-header", headerName: "X-Canary", values: ["on"] },
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Canary", Values: ["on"] } },
    ],
    [
      { field: "http-request-method", values: ["GET", "HEAD"] },
      { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["GET", "HEAD"] } },
    ],
    [
      { field: "query-string", values: [{ key: "v", value: "2" }, { value: "beta" }] },
      { Field: "query-string", QueryStringConfig: { Values: [{ Key: "v", Value: "2" }, { Value: "beta" }] } },
    ],
    [
      { field: "source-ip", values: ["10.0.0.0/8"] },
      { Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.0/8"] } },
    ],
  ])("%j", (model, api) => {
    expect(toSdkCondition(model)).toEqual(api);
    expect(fromSdkCondition(toSdkCondition(model))).toEqual(model);
  });

  it("reads what AWS returns: both forms filled, or the legacy top-level RegexValues", () => {
    expect(
      fromSdkCondition({
        Field: "host-header",
        Values: ["a.example.com"],
        HostHeaderConfig: { Values: ["a.example.com"] },
      }),
    ).toEqual({ field: "host-header", values: ["a.example.com"] });
    expect(fromSdkCondition({ Field: "path-pattern", RegexValues: ["^/x$"] })).toEqual({
      field: "path-pattern",
      values: [],
      regexValues: ["^/x$"],
    });
  });
});

describe("actions and transforms: model ↔ ELBv2 API", () => {
  it.each<ObservedAction>([
    {
      type: "forward",
      targetGroups: [
        { targetGroupArn: "arn:tg/a", weight: 90 },
        { targetGroupArn: "arn:tg/b", weight: 10 },
      ],
      stickiness: { enabled: true, durationSeconds: 300 },
    },
    { type: "forward", targetGroups: [{ targetGroupArn: "arn:tg/a", weight: 1 }] },
    {
      type: "redirect",
      statusCode: "HTTP_302",
      host: "#{host}",
      path: "/new/#{path}",
      protocol: "HTTPS",
      port: "443",
    },
    { type: "fixed-response", statusCode: "503", contentType: "text/plain", messageBody: "back soon" },
  ])("%j round-trips", (action) => {
    expect(fromSdkAction(toSdkAction(action, 1))).toEqual(action);
  });

  it.each<RuleTransform>([
    { type: "url-rewrite", rewrites: [{ regex: "^/api/(.+)$", replace: "/$1" }] },
    {
      type: "host-header-rewrite",
      rewrites: [{ regex: "^(.+)\\.example\\.com$", replace: "$1.example.org" }],
    },
  ])("%j round-trips", (transform) => {
    expect(fromSdkTransform(toSdkTransform(transform))).toEqual(transform);
  });
});
