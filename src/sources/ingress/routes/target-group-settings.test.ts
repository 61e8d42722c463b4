import { describe, expect, it } from "vitest";
import { alb, ingress, service } from "../../../testing/test-fixtures.ts";
import { differingSettings, readTargetGroupSettings } from "./target-group-settings.ts";

const field = (name: string) => `metadata.annotations['alb.ingress.kubernetes.io/${name}']`;
const serviceField = (name: string) => `service/web.${field(name)}`;

const DEFAULT_HEALTH_CHECK = {
  protocol: "HTTP",
  port: "traffic-port",
  path: "/",
  intervalSeconds: 15,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  matcher: "200",
};

function read(ingressAnnotations: Record<string, string>, serviceAnnotations?: Record<string, string>) {
  return readTargetGroupSettings(
    ingress("a", { annotations: alb(ingressAnnotations) }),
    service("web", undefined, serviceAnnotations ? alb(serviceAnnotations) : undefined),
  );
}

describe("readTargetGroupSettings", () => {
  it("fills in AWS LBC's defaults", () => {
    expect(read({})).toEqual({
      settings: { protocol: "HTTP", protocolVersion: "HTTP1", healthCheck: DEFAULT_HEALTH_CHECK },
      problems: [],
    });
  });

  it.each([
    [
      { "backend-protocol": "HTTPS" },
      { protocol: "HTTPS", healthCheck: { ...DEFAULT_HEALTH_CHECK, protocol: "HTTPS" } },
    ],
    [
      { "backend-protocol": "HTTPS", "healthcheck-protocol": "HTTP" },
      { protocol: "HTTPS", healthCheck: { ...DEFAULT_HEALTH_CHECK, protocol: "HTTP" } },
    ],
    [
      { "backend-protocol-version": "GRPC" },
      {
        protocolVersion: "GRPC",
        healthCheck: { ...DEFAULT_HEALTH_CHECK, path: "/AWS.ALB/healthcheck", matcher: "12" },
      },
    ],
    [{ "backend-protocol-version": "GRPC", "success-codes": "0-99" }, { protocolVersion: "GRPC" }],
    [
      { "backend-protocol-version": "HTTP2" },
      { protocolVersion: "HTTP2", healthCheck: DEFAULT_HEALTH_CHECK },
    ],
    [
      {
        "healthcheck-path": "/healthz",
        "healthcheck-port": "8081",
        "healthcheck-interval-seconds": "30",
        "healthcheck-timeout-seconds": "10",
        "healthy-threshold-count": "3",
        "unhealthy-threshold-count": "10",
        "success-codes": "200,300-399",
        "target-type": "ip",
      },
      {
        healthCheck: {
          ...DEFAULT_HEALTH_CHECK,
          path: "/healthz",
          port: "8081",
          intervalSeconds: 30,
          timeoutSeconds: 10,
          healthyThresholdCount: 3,
          unhealthyThresholdCount: 10,
          matcher: "200,300-399",
        },
      },
    ],
  ])("reads %j", (annotations, expected) => {
    const result = read(annotations);
    expect(result.problems).toEqual([]);
    expect(result.settings).toMatchObject(expected);
  });

  it("prefers the Service's annotation to the Ingress's", () => {
    const result = read(
      { "healthcheck-path": "/ingress", "success-codes": "202" },
      { "healthcheck-path": "/service" },
    );
    expect(result.settings?.healthCheck).toMatchObject({ path: "/service", matcher: "202" });
  });

  it.each([
    ["healthcheck-path", "healthz", "must be a path beginning with '/'", { path: "/" }],
    ["healthcheck-port", "http", 'must be "traffic-port" or a port number', { port: "traffic-port" }],
    ["healthcheck-port", "70000", "from 1 to 65535", { port: "traffic-port" }],
    ["healthcheck-protocol", "TCP", 'must be "HTTP" or "HTTPS"', { protocol: "HTTP" }],
    ["healthcheck-interval-seconds", "301", "from 5 to 300", { intervalSeconds: 15 }],
    ["healthcheck-timeout-seconds", "1", "from 2 to 120", { timeoutSeconds: 5 }],
    ["healthy-threshold-count", "11", "from 2 to 10", { healthyThresholdCount: 2 }],
    ["unhealthy-threshold-count", "ten", "from 2 to 10", { unhealthyThresholdCount: 2 }],
    ["success-codes", "100", "HTTP codes from 200 to 499", { matcher: "200" }],
    ["success-codes", "299-200", "HTTP codes from 200 to 499", { matcher: "200" }],
  ])("a bad %s %j → default and a rule Problem", (name, value, message, healthCheck) => {
    for (const [viaService, expectedField] of [
      [false, field(name)],
      [true, serviceField(name)],
    ] as const) {
      const result = viaService ? read({}, { [name]: value }) : read({ [name]: value });
      expect(result.settings?.healthCheck).toMatchObject(healthCheck);
      expect(result.problems).toEqual([
        {
          ingress: "apps/a",
          field: expectedField,
          value,
          message: expect.stringContaining(message),
          scope: "rule",
        },
      ]);
      expect(result.problems[0]?.message).toContain("the default");
    }
  });

  it.each([
    ["backend-protocol", "TCP", 'must be "HTTP" or "HTTPS"; got "TCP"'],
    ["backend-protocol-version", "HTTP3", 'must be "HTTP1", "HTTP2" or "GRPC"; got "HTTP3"'],
  ])("a bad %s %j → no settings (routes answer 503)", (name, value, message) => {
    const result = read({ [name]: value });
    expect(result.settings).toBeUndefined();
    expect(result.problems).toEqual([
      {
        ingress: "apps/a",
        field: field(name),
        value,
        message: `${message}; routes to Service apps/web answer 503 until this is fixed`,
        scope: "rule",
      },
    ]);
  });

  it.each([
    ["instance", 'is not supported: Gannet registers pod IPs; set target-type "ip" or remove the annotation'],
    ["pod", 'must be "ip" (Gannet registers pod IPs)'],
  ])("target-type %j is reported and ip is used", (value, message) => {
    const result = read({ "target-type": value });
    expect(result.settings).toBeDefined();
    expect(result.problems).toEqual([
      {
        ingress: "apps/a",
        field: field("target-type"),
        value,
        message: expect.stringContaining(message),
        scope: "rule",
      },
    ]);
  });

  it("refuses a timeout not shorter than the interval and keeps both defaults", () => {
    const result = read({ "healthcheck-interval-seconds": "5" });
    expect(result.settings?.healthCheck).toMatchObject({ intervalSeconds: 15, timeoutSeconds: 5 });
    expect(result.problems).toEqual([
      {
        ingress: "apps/a",
        field: field("healthcheck-timeout-seconds"),
        value: "5",
        message: expect.stringContaining("must be less than healthcheck-interval-seconds (5)"),
        scope: "rule",
      },
    ]);
  });

  it("uses gRPC codes for GRPC", () => {
    expect(
      read({ "backend-protocol-version": "GRPC", "success-codes": "200" }).problems[0]?.message,
    ).toContain("gRPC codes from 0 to 99");
  });
});

describe("differingSettings", () => {
  it("names the annotations whose effective values differ", () => {
    const a = read({}).settings;
    const b = read({ "healthcheck-path": "/x", "success-codes": "201" }).settings;
    expect(a && b && differingSettings(a, b)).toEqual(["healthcheck-path", "success-codes"]);
  });
});
