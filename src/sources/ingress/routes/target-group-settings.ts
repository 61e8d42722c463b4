// Ingress front end: target group settings from annotations, the Service's overriding the Ingress's (as AWS LBC).
//
// How bad values are scoped (scope "rule": only the target group is affected):
// - health check settings: the default is used and a Problem names the value. Safe: a wrong health check
//   only changes which targets look healthy, and an ALB fails open when none does.
// - backend-protocol / backend-protocol-version: no default is safe (the ALB would speak the wrong
//   protocol to the pods), so the target group is not built and its routes answer 503.
// - target-type: only `ip` exists in Gannet; any other value is reported and `ip` is used.
// - target-group-attributes: a bad value is ignored (the target group keeps its current attributes, since
//   only stated keys are set). The Service's value replaces the Ingress's whole, as in AWS LBC.

import type { ZodType } from "zod";
import type { HealthCheck, Problem } from "../../../model/desired.ts";
import type { Ingress, Service } from "../../../model/kube-objects.ts";
import {
  ANNOTATION_PREFIX,
  annotationField,
  createProblem,
  objectKey,
  serviceAnnotationField,
} from "../../../model/problems.ts";
import { ALB_ANNOTATIONS as A, ANNOTATION } from "../annotations/annotation-registry.ts";
import { readAnnotation } from "../annotations/annotations.ts";

/** The settings of one target group, defaults filled in. */
export interface TargetGroupSettings {
  readonly protocol: "HTTP" | "HTTPS";
  readonly protocolVersion: "HTTP1" | "HTTP2" | "GRPC";
  readonly healthCheck: HealthCheck;
  /** Stated `target-group-attributes`, canonical; absent when none. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Settings of a target group, or none when a traffic setting is invalid; plus the problems found. */
export interface TargetGroupSettingsResult {
  readonly settings?: TargetGroupSettings;
  readonly problems: readonly Problem[];
}

/** Defaults of AWS LBC for target groups. */
export const TARGET_GROUP_DEFAULTS = {
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  healthCheckPort: "traffic-port",
  healthCheckPath: "/",
  healthCheckPathGrpc: "/AWS.ALB/healthcheck",
  intervalSeconds: 15,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  matcher: "200",
  matcherGrpc: "12",
} as const;

/** A registry entry, or one of its variants: a name and the schema of its value. */
type Spec<T> = { readonly name: string; readonly schema: ZodType<T> };

type Reader = <T>(spec: Spec<T>, fallback: T, fatal?: boolean) => T | undefined;

/** A reader of one annotation that prefers the Service's value and records a Problem for a bad one. */
function createReader(ingress: Ingress, service: Service, problems: Problem[]): Reader {
  return (spec, fallback, fatal = false) => {
    const name = spec.name;
    const fromService = readAnnotation(service.metadata.annotations, spec);
    const chosen = fromService.present ? fromService : readAnnotation(ingress.metadata.annotations, spec);
    if (!chosen.present) return fallback;
    if (chosen.ok) return chosen.value;
    const consequence = fatal
      ? `; routes to Service ${objectKey(service)} answer 503 until this is fixed`
      : `; the default ${JSON.stringify(String(fallback))} is used`;
    problems.push(
      createProblem({
        ingress: objectKey(ingress),
        field: fromService.present
          ? serviceAnnotationField(service.metadata.name, name)
          : annotationField(name),
        value: chosen.raw,
        message: `${chosen.message}${consequence}`,
        scope: "rule",
      }),
    );
    return fatal ? undefined : fallback;
  };
}

/** Reads the target group annotations for `service` as referenced by `ingress`. */
export function readTargetGroupSettings(ingress: Ingress, service: Service): TargetGroupSettingsResult {
  const problems: Problem[] = [];
  const read = createReader(ingress, service, problems);
  const d = TARGET_GROUP_DEFAULTS;
  read(A.targetType, "ip");
  const protocol = read(A.backendProtocol, d.protocol, true);
  const protocolVersion = read(A.backendProtocolVersion, d.protocolVersion, true);
  if (protocol === undefined || protocolVersion === undefined) return { problems };
  const grpc = protocolVersion === "GRPC";
  const timing = readTiming(ingress, service, read, problems);
  const healthCheck: HealthCheck = {
    protocol: read(A.healthcheckProtocol, protocol) ?? protocol,
    port: read(A.healthcheckPort, d.healthCheckPort) ?? d.healthCheckPort,
    path: read(A.healthcheckPath, grpc ? d.healthCheckPathGrpc : d.healthCheckPath) ?? "/",
    intervalSeconds: timing.intervalSeconds,
    timeoutSeconds: timing.timeoutSeconds,
    healthyThresholdCount: read(A.healthyThresholdCount, 2) ?? 2,
    unhealthyThresholdCount: read(A.unhealthyThresholdCount, 2) ?? 2,
    matcher:
      read(
        { name: A.successCodes.name, schema: grpc ? A.successCodes.grpcSchema : A.successCodes.schema },
        grpc ? d.matcherGrpc : d.matcher,
      ) ?? d.matcher,
  };
  const attributes = readAttributes(ingress, service, problems);
  return {
    settings: { protocol, protocolVersion, healthCheck, ...(attributes ? { attributes } : {}) },
    problems,
  };
}

/** `target-group-attributes`, the Service's value first; a bad value is reported and ignored. */
function readAttributes(
  ingress: Ingress,
  service: Service,
  problems: Problem[],
): Readonly<Record<string, string>> | undefined {
  const spec = A.targetGroupAttributes;
  const name = spec.name;
  const fromService = readAnnotation(service.metadata.annotations, spec);
  const chosen = fromService.present ? fromService : readAnnotation(ingress.metadata.annotations, spec);
  if (!chosen.present) return undefined;
  if (chosen.ok) return chosen.value;
  problems.push(
    createProblem({
      ingress: objectKey(ingress),
      field: fromService.present
        ? serviceAnnotationField(service.metadata.name, name)
        : annotationField(name),
      value: chosen.raw,
      message: `${chosen.message}; the annotation is ignored and the target group of Service ${objectKey(service)} keeps its current attributes`,
      scope: "rule",
    }),
  );
  return undefined;
}

/** Interval and timeout; AWS refuses a timeout not shorter than the interval, so that pair falls back. */
function readTiming(
  ingress: Ingress,
  service: Service,
  read: Reader,
  problems: Problem[],
): { intervalSeconds: number; timeoutSeconds: number } {
  const d = TARGET_GROUP_DEFAULTS;
  const name = A.healthcheckTimeoutSeconds.name;
  const intervalSeconds = read(A.healthcheckIntervalSeconds, 15) ?? 15;
  const timeoutSeconds = read(A.healthcheckTimeoutSeconds, 5) ?? 5;
  if (timeoutSeconds < intervalSeconds) return { intervalSeconds, timeoutSeconds };
  const fromService = service.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`] !== undefined;
  problems.push(
    createProblem({
      ingress: objectKey(ingress),
      field: fromService ? serviceAnnotationField(service.metadata.name, name) : annotationField(name),
      value: String(timeoutSeconds),
      message: `must be less than healthcheck-interval-seconds (${intervalSeconds}); the defaults (interval ${d.intervalSeconds}, timeout ${d.timeoutSeconds}) are used`,
      scope: "rule",
    }),
  );
  return { intervalSeconds: d.intervalSeconds, timeoutSeconds: d.timeoutSeconds };
}

const SETTING_ANNOTATIONS: readonly [string, (s: TargetGroupSettings) => unknown][] = [
  [ANNOTATION.backendProtocol, (s) => s.protocol],
  [ANNOTATION.backendProtocolVersion, (s) => s.protocolVersion],
  [ANNOTATION.healthcheckProtocol, (s) => s.healthCheck.protocol],
  [ANNOTATION.healthcheckPort, (s) => s.healthCheck.port],
  [ANNOTATION.healthcheckPath, (s) => s.healthCheck.path],
  [ANNOTATION.healthcheckIntervalSeconds, (s) => s.healthCheck.intervalSeconds],
  [ANNOTATION.healthcheckTimeoutSeconds, (s) => s.healthCheck.timeoutSeconds],
  [ANNOTATION.healthyThresholdCount, (s) => s.healthCheck.healthyThresholdCount],
  [ANNOTATION.unhealthyThresholdCount, (s) => s.healthCheck.unhealthyThresholdCount],
  [ANNOTATION.successCodes, (s) => s.healthCheck.matcher],
  [ANNOTATION.targetGroupAttributes, (s) => JSON.stringify(s.attributes ?? {})],
];

/** Annotation names whose effective values differ between two settings. */
export function differingSettings(a: TargetGroupSettings, b: TargetGroupSettings): string[] {
  return SETTING_ANNOTATIONS.filter(([, get]) => get(a) !== get(b)).map(([name]) => name);
}
