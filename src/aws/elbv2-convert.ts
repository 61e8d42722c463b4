// AWS adapter: conversions between ELBv2 API shapes and the model's plain data.

import type {
  Action,
  ProtocolEnum,
  RuleCondition as SdkCondition,
  RuleTransform as SdkTransform,
  TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { HealthCheck, ObservedAction, RuleCondition, RuleTransform } from "../types/alb.ts";

/** `Values`, or `RegexValues` when the condition matches by regex (AWS takes one of them, not both). */
function valuesOrRegex(c: { values: readonly string[]; regexValues?: readonly string[] }) {
  return c.regexValues?.length ? { RegexValues: [...c.regexValues] } : { Values: [...c.values] };
}

/** Model condition -> API condition (the `*Config` form, which AWS documents as current). */
export function toSdkCondition(c: RuleCondition): SdkCondition {
  switch (c.field) {
    case "host-header":
      return { Field: c.field, HostHeaderConfig: valuesOrRegex(c) };
    case "path-pattern":
      return { Field: c.field, PathPatternConfig: valuesOrRegex(c) };
    case "http-header":
      return { Field: c.field, HttpHeaderConfig: { HttpHeaderName: c.headerName, ...valuesOrRegex(c) } };
    case "http-request-method":
      return { Field: c.field, HttpRequestMethodConfig: { Values: [...c.values] } };
    case "source-ip":
      return { Field: c.field, SourceIpConfig: { Values: [...c.values] } };
    case "query-string":
      return {
        Field: c.field,
        QueryStringConfig: {
          Values: c.values.map((v) => ({ ...(v.key ? { Key: v.key } : {}), Value: v.value })),
        },
      };
  }
}

/** The model's `values` and, when set, `regexValues` of an API condition config. */
function fromValuesOrRegex(
  config: { Values?: string[] | undefined; RegexValues?: string[] | undefined } | undefined,
  legacy: string[],
  legacyRegex: string[],
): { values: string[]; regexValues?: string[] } {
  const regex = config?.RegexValues?.length ? config.RegexValues : legacyRegex;
  const values = config?.Values?.length ? config.Values : legacy;
  return regex.length ? { values, regexValues: regex } : { values };
}

/** API condition -> model condition; reads the `*Config` form, falling back to legacy `Values`. */
export function fromSdkCondition(c: SdkCondition): RuleCondition | undefined {
  const legacy = c.Values ?? [];
  const legacyRegex = c.RegexValues ?? [];
  switch (c.Field) {
    case "host-header":
      return { field: "host-header", ...fromValuesOrRegex(c.HostHeaderConfig, legacy, legacyRegex) };
    case "path-pattern":
      return { field: "path-pattern", ...fromValuesOrRegex(c.PathPatternConfig, legacy, legacyRegex) };
    case "http-header":
      return {
        field: "http-header",
        headerName: c.HttpHeaderConfig?.HttpHeaderName ?? "",
        ...fromValuesOrRegex(c.HttpHeaderConfig, [], legacyRegex),
      };
    case "http-request-method":
      return { field: "http-request-method", values: c.HttpRequestMethodConfig?.Values ?? [] };
    case "source-ip":
      return { field: "source-ip", values: c.SourceIpConfig?.Values ?? [] };
    case "query-string":
      return {
        field: "query-string",
        values: (c.QueryStringConfig?.Values ?? []).map((v) => ({
          ...(v.Key ? { key: v.Key } : {}),
          value: v.Value ?? "",
        })),
      };
    default:
      return undefined;
  }
}

/** Model action (target groups already resolved to ARNs) -> API action with its order. */
export function toSdkAction(a: ObservedAction, order: number): Action {
  switch (a.type) {
    case "forward":
      return {
        Type: "forward",
        Order: order,
        ForwardConfig: {
          TargetGroups: a.targetGroups.map((t) => ({ TargetGroupArn: t.targetGroupArn, Weight: t.weight })),
          TargetGroupStickinessConfig: {
            Enabled: a.stickiness?.enabled ?? false,
            ...(a.stickiness?.enabled ? { DurationSeconds: a.stickiness.durationSeconds } : {}),
          },
        },
      };
    case "fixed-response":
      return {
        Type: "fixed-response",
        Order: order,
        FixedResponseConfig: {
          StatusCode: a.statusCode,
          ContentType: a.contentType ?? "text/plain",
          ...(a.messageBody !== undefined ? { MessageBody: a.messageBody } : {}),
        },
      };
    case "redirect":
      return {
        Type: "redirect",
        Order: order,
        RedirectConfig: {
          StatusCode: a.statusCode,
          ...(a.protocol ? { Protocol: a.protocol } : {}),
          ...(a.port ? { Port: a.port } : {}),
          ...(a.host ? { Host: a.host } : {}),
          ...(a.path ? { Path: a.path } : {}),
          ...(a.query ? { Query: a.query } : {}),
        },
      };
  }
}

/** API action -> model action as AWS holds it (forward by ARN). Unknown types become a 500 marker. */
export function fromSdkAction(a: Action): ObservedAction {
  if (a.Type === "forward") {
    const tgs = a.ForwardConfig?.TargetGroups?.length
      ? a.ForwardConfig.TargetGroups.map((t) => ({
          targetGroupArn: t.TargetGroupArn ?? "",
          weight: t.Weight ?? 1,
        }))
      : [{ targetGroupArn: a.TargetGroupArn ?? "", weight: 1 }];
    const sticky = a.ForwardConfig?.TargetGroupStickinessConfig;
    return {
      type: "forward",
      targetGroups: tgs,
      ...(sticky?.Enabled
        ? { stickiness: { enabled: true, durationSeconds: sticky.DurationSeconds ?? 0 } }
        : {}),
    };
  }
  if (a.Type === "redirect") {
    const r = a.RedirectConfig;
    return {
      type: "redirect",
      statusCode: r?.StatusCode === "HTTP_302" ? "HTTP_302" : "HTTP_301",
      ...(r?.Protocol ? { protocol: r.Protocol } : {}),
      ...(r?.Port ? { port: r.Port } : {}),
      ...(r?.Host ? { host: r.Host } : {}),
      ...(r?.Path ? { path: r.Path } : {}),
      ...(r?.Query ? { query: r.Query } : {}),
    };
  }
  const f = a.FixedResponseConfig;
  return {
    type: "fixed-response",
    statusCode: f?.StatusCode ?? `unsupported action ${a.Type}`,
    ...(f?.ContentType ? { contentType: f.ContentType } : {}),
    ...(f?.MessageBody !== undefined ? { messageBody: f.MessageBody } : {}),
  };
}

/** Model transform -> API transform. */
export function toSdkTransform(t: RuleTransform): SdkTransform {
  const config = { Rewrites: t.rewrites.map((r) => ({ Regex: r.regex, Replace: r.replace })) };
  return t.type === "url-rewrite"
    ? { Type: t.type, UrlRewriteConfig: config }
    : { Type: t.type, HostHeaderRewriteConfig: config };
}

/** API transform -> model transform; undefined for a type Gannet does not know. */
export function fromSdkTransform(t: SdkTransform): RuleTransform | undefined {
  const config = t.Type === "url-rewrite" ? t.UrlRewriteConfig : t.HostHeaderRewriteConfig;
  if (t.Type !== "url-rewrite" && t.Type !== "host-header-rewrite") return undefined;
  return {
    type: t.Type,
    rewrites: (config?.Rewrites ?? []).map((r) => ({ regex: r.Regex ?? "", replace: r.Replace ?? "" })),
  };
}

/** Sorts API actions by their Order, as AWS evaluates them. */
export function sortActions(actions: readonly Action[] | undefined): Action[] {
  return [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
}

/** The health check of an API target group, in the model's shape. */
export function healthCheckOf(tg: TargetGroup): HealthCheck {
  return {
    protocol: tg.HealthCheckProtocol === "HTTPS" ? "HTTPS" : "HTTP",
    port: tg.HealthCheckPort ?? "traffic-port",
    path: tg.HealthCheckPath ?? "/",
    intervalSeconds: tg.HealthCheckIntervalSeconds ?? 15,
    timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 5,
    healthyThresholdCount: tg.HealthyThresholdCount ?? 2,
    unhealthyThresholdCount: tg.UnhealthyThresholdCount ?? 2,
    matcher: tg.Matcher?.HttpCode ?? tg.Matcher?.GrpcCode ?? "200",
  };
}

/** The API's health check parameters for a model health check. */
export function healthCheckParams(h: HealthCheck, protocolVersion: string) {
  return {
    HealthCheckEnabled: true,
    HealthCheckProtocol: h.protocol as ProtocolEnum,
    HealthCheckPort: h.port,
    HealthCheckPath: h.path,
    HealthCheckIntervalSeconds: h.intervalSeconds,
    HealthCheckTimeoutSeconds: h.timeoutSeconds,
    HealthyThresholdCount: h.healthyThresholdCount,
    UnhealthyThresholdCount: h.unhealthyThresholdCount,
    Matcher: protocolVersion === "GRPC" ? { GrpcCode: h.matcher } : { HttpCode: h.matcher },
  };
}

/** Map form of ELBv2 tag lists. */
export function tagMap(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key) out[t.Key] = t.Value ?? "";
  return out;
}

/** List form of tags for create calls. */
export function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
}
