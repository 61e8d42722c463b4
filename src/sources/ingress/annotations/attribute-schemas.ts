// Model stage: zod schemas for the attribute annotations (`load-balancer-attributes`,
// `target-group-attributes`, `listener-attributes.<Protocol>-<Port>`), in AWS LBC's `key=value,key=value`
// form (a comma inside a value escaped as `\,`). Keys and values are checked against what AWS documents for
// an Application Load Balancer with IP targets, so a typo is reported here instead of failing the whole
// apply with a ValidationError; values are written in the form AWS returns, so a resync compares equal.

import { z } from "zod";

/** A checker of one attribute value: the canonical value, or a message saying what it must be. */
type ValueCheck = (value: string) => { ok: true; value: string } | { ok: false; message: string };

function bool(): ValueCheck {
  return (v) =>
    /^(?:true|false)$/i.test(v)
      ? { ok: true, value: v.toLowerCase() }
      : { ok: false, message: 'must be "true" or "false"' };
}

function int(min: number, max: number, also: readonly string[] = []): ValueCheck {
  const words = also.map((w) => `"${w}" or `).join("");
  const message = `must be ${words}a whole number from ${min} to ${max}`;
  return (v) => {
    if (also.includes(v)) return { ok: true, value: v };
    if (!/^\d{1,9}$/.test(v)) return { ok: false, message };
    const n = Number(v);
    return n >= min && n <= max ? { ok: true, value: String(n) } : { ok: false, message };
  };
}

function word(...values: readonly string[]): ValueCheck {
  const message = `must be ${values.map((w) => `"${w}"`).join(", ")}`;
  return (v) => (values.includes(v) ? { ok: true, value: v } : { ok: false, message });
}

function text(max: number, pattern: RegExp, what: string): ValueCheck {
  return (v) =>
    v.length <= max && pattern.test(v)
      ? { ok: true, value: v }
      : { ok: false, message: `must be ${what} of at most ${max} characters` };
}

const bucket = text(
  63,
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  "an S3 bucket name (lowercase letters, digits, '.', '-')",
);
const prefix = text(1024, /^[^\s]*$/, "an S3 key prefix without spaces");
const headerName = text(40, /^[A-Za-z0-9-]+$/, "an HTTP header name (letters, digits, '-')");
const headerValue = text(1024, /^[\x20-\x7e]+$/, "printable ASCII text");

/** Application Load Balancer attributes (ELBv2 `LoadBalancerAttribute`, ALB and common keys). */
export const LOAD_BALANCER_ATTRIBUTES: Readonly<Record<string, ValueCheck>> = {
  "access_logs.s3.enabled": bool(),
  "access_logs.s3.bucket": bucket,
  "access_logs.s3.prefix": prefix,
  "connection_logs.s3.enabled": bool(),
  "connection_logs.s3.bucket": bucket,
  "connection_logs.s3.prefix": prefix,
  "health_check_logs.s3.enabled": bool(),
  "health_check_logs.s3.bucket": bucket,
  "health_check_logs.s3.prefix": prefix,
  "client_keep_alive.seconds": int(60, 604800),
  "deletion_protection.enabled": bool(),
  "idle_timeout.timeout_seconds": int(1, 4000),
  "ipv6.deny_all_igw_traffic": bool(),
  "routing.http.desync_mitigation_mode": word("monitor", "defensive", "strictest"),
  "routing.http.drop_invalid_header_fields.enabled": bool(),
  "routing.http.preserve_host_header.enabled": bool(),
  "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": bool(),
  "routing.http.xff_client_port.enabled": bool(),
  "routing.http.xff_header_processing.mode": word("append", "preserve", "remove"),
  "routing.http2.enabled": bool(),
  "waf.fail_open.enabled": bool(),
  "zonal_shift.config.enabled": bool(),
};

/** Keys AWS documents for other load balancer types, with the reason they cannot be set here. */
const NOT_FOR_ALB: Readonly<Record<string, string>> = {
  "load_balancing.cross_zone.enabled":
    "is always true on an Application Load Balancer and cannot be changed (turn it off per target group with target-group-attributes)",
  "dns_record.client_routing_policy": "applies to Network Load Balancers only",
  "secondary_ips.auto_assigned.per_subnet": "applies to Network Load Balancers only",
  "lambda.multi_value_headers.enabled": "applies to Lambda targets only; Gannet registers pod IPs",
  "deregistration_delay.connection_termination.enabled": "applies to Network Load Balancers only",
  "preserve_client_ip.enabled": "applies to Network Load Balancers only",
  "proxy_protocol_v2.enabled": "applies to Network Load Balancers only",
  "target_health_state.unhealthy.connection_termination.enabled": "applies to Network Load Balancers only",
  "target_health_state.unhealthy.draining_interval_seconds": "applies to Network Load Balancers only",
  "target_failover.on_deregistration": "applies to Gateway Load Balancers only",
  "target_failover.on_unhealthy": "applies to Gateway Load Balancers only",
  "tcp.idle_timeout.seconds": "applies to Network and Gateway Load Balancer listeners only",
};

const cookieName: ValueCheck = (v) => {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,255}$/.test(v))
    return { ok: false, message: "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~)" };
  if (v.toUpperCase().startsWith("AWSALB"))
    return {
      ok: false,
      message: "must not begin with AWSALB, AWSALBAPP or AWSALBTG (reserved by the load balancer)",
    };
  return { ok: true, value: v };
};

/** Target group attributes for an ALB target group of IP targets (ELBv2 `TargetGroupAttribute`). */
export const TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, ValueCheck>> = {
  "deregistration_delay.timeout_seconds": int(0, 3600),
  "stickiness.enabled": bool(),
  "stickiness.type": word("lb_cookie", "app_cookie"),
  "stickiness.lb_cookie.duration_seconds": int(1, 604800),
  "stickiness.app_cookie.cookie_name": cookieName,
  "stickiness.app_cookie.duration_seconds": int(1, 604800),
  "slow_start.duration_seconds": int(30, 900, ["0"]),
  "load_balancing.algorithm.type": word("round_robin", "least_outstanding_requests", "weighted_random"),
  "load_balancing.algorithm.anomaly_mitigation": word("on", "off"),
  "load_balancing.cross_zone.enabled": word("true", "false", "use_load_balancer_configuration"),
  "target_group_health.dns_failover.minimum_healthy_targets.count": int(1, 1_000_000, ["off"]),
  "target_group_health.dns_failover.minimum_healthy_targets.percentage": int(1, 100, ["off"]),
  "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": int(1, 1_000_000),
  "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": int(1, 100, ["off"]),
};

/** Listener attributes of an Application Load Balancer (ELBv2 `ListenerAttribute`). */
export const LISTENER_ATTRIBUTES: Readonly<Record<string, ValueCheck>> = {
  ...Object.fromEntries(
    [
      "x_amzn_mtls_clientcert_serial_number",
      "x_amzn_mtls_clientcert_issuer",
      "x_amzn_mtls_clientcert_subject",
      "x_amzn_mtls_clientcert_validity",
      "x_amzn_mtls_clientcert_leaf",
      "x_amzn_mtls_clientcert",
      "x_amzn_tls_version",
      "x_amzn_tls_cipher_suite",
    ].map((h) => [`routing.http.request.${h}.header_name`, headerName]),
  ),
  "routing.http.response.server.enabled": bool(),
  ...Object.fromEntries(
    [
      "strict_transport_security",
      "access_control_allow_origin",
      "access_control_allow_methods",
      "access_control_allow_headers",
      "access_control_allow_credentials",
      "access_control_expose_headers",
      "access_control_max_age",
      "content_security_policy",
      "x_content_type_options",
      "x_frame_options",
    ].map((h) => [`routing.http.response.${h}.header_value`, headerValue]),
  ),
};

/**
 * Splits AWS LBC's stringMap form into pairs: commas separate pairs unless escaped (`\,`), a backslash
 * takes the next character literally, keys and values are trimmed, empty items are skipped.
 */
export function splitKeyValuePairs(raw: string): { pairs: [string, string][]; bad?: string } {
  const items: string[] = [];
  let current = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\" && i + 1 < raw.length) {
      current += raw[i + 1];
      i++;
    } else if (c === ",") {
      items.push(current);
      current = "";
    } else current += c;
  }
  items.push(current);
  const pairs: [string, string][] = [];
  for (const item of items.map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? "" : item.slice(0, eq).trim();
    if (key === "") return { pairs, bad: item };
    pairs.push([key, item.slice(eq + 1).trim()]);
  }
  return { pairs };
}

/** A schema of an attribute annotation: a map of known keys to canonical values, keys sorted. */
export function attributeMap(known: Readonly<Record<string, ValueCheck>>, example: string) {
  return z.string().transform((raw, ctx) => {
    const { pairs, bad } = splitKeyValuePairs(raw);
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(bad)} is not key=value: write key=value pairs separated by commas, like ${example} (escape a comma inside a value as \\,)`,
      });
      return z.NEVER;
    }
    if (pairs.length === 0) {
      ctx.addIssue({ code: "custom", message: `must list at least one key=value pair, like ${example}` });
      return z.NEVER;
    }
    const out: Record<string, string> = {};
    for (const [key, value] of pairs) {
      const check = known[key];
      if (!check) {
        const why = NOT_FOR_ALB[key];
        ctx.addIssue({
          code: "custom",
          message: why
            ? `attribute ${JSON.stringify(key)} ${why}`
            : `unknown attribute ${JSON.stringify(key)}: check the name against the AWS documentation (for example ${example})`,
        });
        return z.NEVER;
      }
      const checked = check(value);
      if (!checked.ok) {
        ctx.addIssue({
          code: "custom",
          message: `attribute ${key} ${checked.message}, not ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      out[key] = checked.value;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** Cross-checks AWS makes on target group attributes, so they are reported before the apply. */
export function checkTargetGroupAttributes(attributes: Readonly<Record<string, string>>): string | undefined {
  const a = attributes;
  if (
    a["load_balancing.algorithm.anomaly_mitigation"] === "on" &&
    a["load_balancing.algorithm.type"] !== "weighted_random"
  ) {
    return "load_balancing.algorithm.anomaly_mitigation=on needs load_balancing.algorithm.type=weighted_random in the same annotation";
  }
  if (a["stickiness.type"] === "app_cookie" && !a["stickiness.app_cookie.cookie_name"]) {
    return "stickiness.type=app_cookie needs stickiness.app_cookie.cookie_name in the same annotation";
  }
  return undefined;
}
