import { describe, expect, it } from "vitest";
import { ANNOTATION_SCHEMAS } from "./annotation-schemas.ts";
import { parseAnnotationValue } from "./annotation-values.ts";
import { splitKeyValuePairs } from "./attribute-schemas.ts";

describe("splitKeyValuePairs (AWS LBC's stringMap form)", () => {
  it.each([
    [
      "a=1,b=2",
      [
        ["a", "1"],
        ["b", "2"],
      ],
      undefined,
    ],
    [
      " a = 1 , b=2 ,",
      [
        ["a", "1"],
        ["b", "2"],
      ],
      undefined,
    ],
    [
      "a=x\\,y,b=",
      [
        ["a", "x,y"],
        ["b", ""],
      ],
      undefined,
    ],
    ["a=1=2", [["a", "1=2"]], undefined],
    ["a=1,b", [["a", "1"]], "b"],
    ["=1", [], "=1"],
  ])("%j", (raw, pairs, bad) => {
    expect(splitKeyValuePairs(raw)).toEqual(bad === undefined ? { pairs } : { pairs, bad });
  });
});

const parse = (schema: keyof typeof ANNOTATION_SCHEMAS, raw: string) =>
  parseAnnotationValue(ANNOTATION_SCHEMAS[schema] as never, raw);

describe("load-balancer-attributes", () => {
  it.each([
    ["idle_timeout.timeout_seconds=600", { "idle_timeout.timeout_seconds": "600" }],
    ["idle_timeout.timeout_seconds=0060", { "idle_timeout.timeout_seconds": "60" }],
    [
      "routing.http2.enabled=False, deletion_protection.enabled=TRUE",
      { "deletion_protection.enabled": "true", "routing.http2.enabled": "false" },
    ],
    [
      "access_logs.s3.enabled=true,access_logs.s3.bucket=my-access-log-bucket,access_logs.s3.prefix=my-app",
      {
        "access_logs.s3.bucket": "my-access-log-bucket",
        "access_logs.s3.enabled": "true",
        "access_logs.s3.prefix": "my-app",
      },
    ],
    ["client_keep_alive.seconds=3600", { "client_keep_alive.seconds": "3600" }],
    [
      "routing.http.xff_header_processing.mode=preserve",
      { "routing.http.xff_header_processing.mode": "preserve" },
    ],
    ["routing.http.desync_mitigation_mode=strictest", { "routing.http.desync_mitigation_mode": "strictest" }],
  ])("accepts %j", (raw, value) => {
    expect(parse("loadBalancerAttributes", raw)).toEqual({ ok: true, value });
  });

  it.each([
    [
      "idle_timeout.timeout_seconds=4001",
      "attribute idle_timeout.timeout_seconds must be a whole number from 1 to 4000",
    ],
    ["idle_timeout.timeout_seconds=1m", "must be a whole number from 1 to 4000"],
    ["client_keep_alive.seconds=59", "from 60 to 604800"],
    ["routing.http2.enabled=yes", 'must be "true" or "false"'],
    ["routing.http.desync_mitigation_mode=off", '"monitor", "defensive", "strictest"'],
    ["access_logs.s3.bucket=My_Bucket", "S3 bucket name"],
    ["idle_timeout=60", 'unknown attribute "idle_timeout"'],
    ["load_balancing.cross_zone.enabled=false", "always true on an Application Load Balancer"],
    ["dns_record.client_routing_policy=any_availability_zone", "Network Load Balancers only"],
    ["idle_timeout.timeout_seconds", "is not key=value"],
    ["", "at least one key=value pair"],
  ])("refuses %j", (raw, says) => {
    const parsed = parse("loadBalancerAttributes", raw);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.message).toContain(says);
    expect(parsed.ok ? "" : parsed.message).toContain(`got ${JSON.stringify(raw)}`);
  });
});

describe("target-group-attributes", () => {
  it.each([
    ["slow_start.duration_seconds=30", { "slow_start.duration_seconds": "30" }],
    ["slow_start.duration_seconds=0", { "slow_start.duration_seconds": "0" }],
    ["deregistration_delay.timeout_seconds=0", { "deregistration_delay.timeout_seconds": "0" }],
    [
      "stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=60",
      { "stickiness.enabled": "true", "stickiness.lb_cookie.duration_seconds": "60" },
    ],
    [
      "stickiness.enabled=true,stickiness.type=app_cookie,stickiness.app_cookie.cookie_name=session",
      {
        "stickiness.app_cookie.cookie_name": "session",
        "stickiness.enabled": "true",
        "stickiness.type": "app_cookie",
      },
    ],
    [
      "load_balancing.algorithm.type=weighted_random,load_balancing.algorithm.anomaly_mitigation=on",
      {
        "load_balancing.algorithm.anomaly_mitigation": "on",
        "load_balancing.algorithm.type": "weighted_random",
      },
    ],
    [
      "load_balancing.algorithm.type=least_outstanding_requests",
      { "load_balancing.algorithm.type": "least_outstanding_requests" },
    ],
    [
      "load_balancing.cross_zone.enabled=use_load_balancer_configuration",
      { "load_balancing.cross_zone.enabled": "use_load_balancer_configuration" },
    ],
    [
      "target_group_health.dns_failover.minimum_healthy_targets.percentage=off",
      { "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off" },
    ],
  ])("accepts %j", (raw, value) => {
    expect(parse("targetGroupAttributes", raw)).toEqual({ ok: true, value });
  });

  it.each([
    ["slow_start.duration_seconds=10", '"0" or a whole number from 30 to 900'],
    ["deregistration_delay.timeout_seconds=3601", "from 0 to 3600"],
    ["stickiness.type=source_ip", '"lb_cookie", "app_cookie"'],
    ["stickiness.app_cookie.cookie_name=AWSALBAPP-1", "reserved by the load balancer"],
    ["stickiness.type=app_cookie", "needs stickiness.app_cookie.cookie_name"],
    ["load_balancing.algorithm.anomaly_mitigation=on", "needs load_balancing.algorithm.type=weighted_random"],
    ["lambda.multi_value_headers.enabled=true", "Lambda targets only"],
    ["proxy_protocol_v2.enabled=true", "Network Load Balancers only"],
    ["target_group_health.unhealthy_state_routing.minimum_healthy_targets.count=off", "from 1 to 1000000"],
  ])("refuses %j", (raw, says) => {
    const parsed = parse("targetGroupAttributes", raw);
    expect(parsed.ok ? "" : parsed.message).toContain(says);
  });
});

describe("listener-attributes", () => {
  it.each([
    ["routing.http.response.server.enabled=false", { "routing.http.response.server.enabled": "false" }],
    [
      "routing.http.response.access_control_allow_headers.header_value=exampleValue\\,anotherExampleValue",
      {
        "routing.http.response.access_control_allow_headers.header_value": "exampleValue,anotherExampleValue",
      },
    ],
    [
      "routing.http.request.x_amzn_tls_version.header_name=X-Tls-Version",
      { "routing.http.request.x_amzn_tls_version.header_name": "X-Tls-Version" },
    ],
  ])("accepts %j", (raw, value) => {
    expect(parse("listenerAttributes", raw)).toEqual({ ok: true, value });
  });

  it.each([
    ["tcp.idle_timeout.seconds=60", "Network and Gateway Load Balancer listeners only"],
    ["routing.http.request.x_amzn_tls_version.header_name=X Tls", "HTTP header name"],
    ["routing.http.response.server.enabled=no", 'must be "true" or "false"'],
  ])("refuses %j", (raw, says) => {
    const parsed = parse("listenerAttributes", raw);
    expect(parsed.ok ? "" : parsed.message).toContain(says);
  });
});

describe("security-groups, manage-backend-security-group-rules, wafv2-acl-arn", () => {
  it.each([
    ["securityGroups", "sg-0123456789abcdef0, web-sg,web-sg", ["sg-0123456789abcdef0", "web-sg"]],
    ["manageBackendSecurityGroupRules", "True", true],
    ["manageBackendSecurityGroupRules", "0", false],
    ["wafv2AclArn", "none", "none"],
    [
      "wafv2AclArn",
      "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/xxxxxxx/3ab78708-85b0-49d3-b4e1-7a9615a6613b",
      "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/xxxxxxx/3ab78708-85b0-49d3-b4e1-7a9615a6613b",
    ],
  ] as const)("%s accepts %j", (schema, raw, value) => {
    expect(parse(schema, raw)).toEqual({ ok: true, value });
  });

  it.each([
    ["securityGroups", "sg-12", "is not a security group ID"],
    ["securityGroups", " , ", "at least one security group ID or Name tag value"],
    ["manageBackendSecurityGroupRules", "yes", 'must be "true" or "false"'],
    [
      "wafv2AclArn",
      "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/3ab78708-85b0-49d3-b4e1-7a9615a6613b",
      "global (CloudFront)",
    ],
    ["wafv2AclArn", "499e8b99-6671-4614-a86d-adb1810b7fbe", "Regional WAFv2 web ACL ARN"],
  ] as const)("%s refuses %j", (schema, raw, says) => {
    const parsed = parse(schema, raw);
    expect(parsed.ok ? "" : parsed.message).toContain(says);
  });
});
