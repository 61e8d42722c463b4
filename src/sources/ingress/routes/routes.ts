// Ingress front end: the routes of a group's members: each path with its match (host, path, and the
// backend's `conditions.<name>` annotation), its backend (a Service port, or an `actions.<name>`
// annotation) and its `transforms.<name>`. Within one rule, paths come in AWS LBC's order (Exact, Prefix
// longest first, ImplementationSpecific); the model ranks them by the spec's precedence (`precedenceOf`).
// A bad host, path or conditions annotation skips only that rule or path; a bad action or transforms
// annotation makes the path answer 503 (Problems with scope "rule").

import type { MatchCondition, PathMatch, RouteMatch } from "../../../model/description.ts";
import type { Problem, RuleTransform, SourceRef } from "../../../model/desired.ts";
import type { HTTPIngressPath, Ingress, Service } from "../../../model/kube-objects.ts";
import { toMatchCondition, translateRouteMatch } from "../../../model/listeners/route-match.ts";
import { ANNOTATION_PREFIX, annotationField, createProblem, objectKey } from "../../../model/problems.ts";
import { readConditionsAnnotation, readTransformsAnnotation } from "../annotations/rule-annotations.ts";
import { sortBySeniority } from "../groups/ingress-groups.ts";
import { type RouteBackend, serviceUnavailable } from "./backends.ts";
import { resolveRouteBackend } from "./custom-actions.ts";
import { describePath, normalizeHost, sortPaths } from "./paths.ts";
import { readUseRegexPathMatch, translateRegexPath } from "./regex-paths.ts";

/** One path of one member, with its match and resolved backend. */
export interface Route {
  readonly ingress: Ingress;
  /** The Ingress rule's host (lowercased; absent for a rule without host), the path, the annotation's conditions. */
  readonly match: RouteMatch;
  readonly backend: RouteBackend;
  /** Transforms from the backend's `transforms.<name>` annotation; absent without one. */
  readonly transforms?: readonly RuleTransform[];
  readonly source: SourceRef;
  /** How specific the route is, as the Ingress spec ranks matches (see `precedenceOf`). */
  readonly specificity: Specificity;
  /** A route of a member left out for bad input: its existing rule is kept, no new one is made. */
  readonly retained?: true;
}

/** The parts of a route that decide which of two matching routes wins. */
export interface Specificity {
  /** 0: an exact host; 1: a wildcard host; 2: no host. */
  readonly hostClass: 0 | 1 | 2;
  /** The path's length without a trailing slash (the longest matching path wins). */
  readonly pathLength: number;
  /** 0: Exact, 1: Prefix, 2: ImplementationSpecific (at equal length Exact beats Prefix). */
  readonly pathTypeRank: 0 | 1 | 2;
  /** 0: a `conditions.<name>` annotation narrows it (header, method, query, source IP); 1: none does. */
  readonly conditionRank: 0 | 1;
}

/**
 * The route's precedence (compared element by element, lower first), so that an ALB evaluating rules by
 * ascending priority picks what the Ingress spec picks: an exact host before a wildcard host before no
 * host, then the longest path, then Exact before Prefix; at equal host and path, a route narrowed by a
 * conditions annotation comes first (after the plain one it could never match). Ties keep group order.
 */
export function precedenceOf(s: Specificity): number[] {
  return [s.hostClass, 0 - s.pathLength, s.pathTypeRank, s.conditionRank];
}

function specificityOf(
  host: string | undefined,
  path: HTTPIngressPath,
  extra: readonly MatchCondition[],
): Specificity {
  const p = path.path ?? "";
  const { pathType } = path;
  const trimmed = pathType === "Prefix" && p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
  const narrowed = extra.some((c) => c.kind !== "host" && c.kind !== "path");
  return {
    hostClass: host === undefined ? 2 : host.startsWith("*.") ? 1 : 0,
    pathLength: trimmed === "/" && pathType === "Prefix" ? 0 : trimmed.length,
    pathTypeRank: pathType === "Exact" ? 0 : pathType === "Prefix" ? 1 : 2,
    conditionRank: narrowed ? 0 : 1,
  };
}

/** The group's default backend: the oldest member's `spec.defaultBackend` (see `compareSeniority`). */
export interface DefaultRoute {
  readonly ingress: Ingress;
  readonly backend: RouteBackend;
  readonly source: SourceRef;
}

/** Routes of the members (in priority order), the default route, and the problems found. */
export interface CollectedRoutes {
  readonly routes: readonly Route[];
  readonly defaultRoute?: DefaultRoute;
  readonly problems: readonly Problem[];
}

/** Collects the routes of `members`, which must be in group order. */
export function collectRoutes(members: readonly Ingress[], services: readonly Service[]): CollectedRoutes {
  const routes: Route[] = [];
  const problems: Problem[] = [];
  // Only one default backend per group: the oldest member's (a newer one never takes over).
  const defaultOwner = sortBySeniority(members).find((m) => m.spec.defaultBackend !== undefined);
  let defaultRoute: DefaultRoute | undefined;
  for (const ingress of members) {
    const key = objectKey(ingress);
    const backend = ingress.spec.defaultBackend;
    if (backend && defaultOwner && ingress !== defaultOwner) {
      problems.push(
        createProblem({
          ingress: key,
          field: "spec.defaultBackend",
          value: backend.service?.name ?? backend.resource?.name ?? "",
          message: `conflicts with the default backend of ${objectKey(defaultOwner)}, the oldest member of the group that sets one, which wins; this one is ignored: remove it or route it with a rule`,
          scope: "rule",
        }),
      );
    } else if (backend) {
      const resolved = resolveRouteBackend(ingress, backend, "spec.defaultBackend", services);
      problems.push(...resolved.problems);
      const source = { ingress: key, field: "spec.defaultBackend" };
      defaultRoute = { ingress, backend: resolved.backend, source };
    }
    const regexPaths = readUseRegexPathMatch(ingress);
    problems.push(...regexPaths.problems);
    (ingress.spec.rules ?? []).forEach((rule, i) => {
      let host: string | undefined;
      if (rule.host !== undefined && rule.host !== "") {
        host = normalizeHost(rule.host);
        if (host === undefined) {
          const message =
            "must be a DNS name like app.example.com or *.example.com; the rule's paths are skipped";
          problems.push(
            createProblem({
              ingress: key,
              field: `spec.rules[${i}].host`,
              value: rule.host,
              message,
              scope: "rule",
            }),
          );
          return;
        }
      }
      for (const { path, index: j } of sortPaths(rule.http?.paths ?? [])) {
        const field = `spec.rules[${i}].http.paths[${j}]`;
        const built = buildRoute({ ingress, host, path, field, services, regexPaths: regexPaths.enabled });
        problems.push(...built.problems);
        if (built.route) routes.push(built.route);
      }
    });
  }
  return defaultRoute ? { routes, defaultRoute, problems } : { routes, problems };
}

interface RouteInput {
  readonly ingress: Ingress;
  readonly host: string | undefined;
  readonly path: HTTPIngressPath;
  readonly field: string;
  readonly services: readonly Service[];
  /** `use-regex-path-match: "true"`: ImplementationSpecific paths are regexes. */
  readonly regexPaths: boolean;
}

/** The path's match, or a message saying why the path is skipped and where. */
function pathMatchOf(
  input: RouteInput,
): { ok: true; match: PathMatch } | { ok: false; field: string; value: string; message: string } {
  const { path, field } = input;
  if (input.regexPaths && path.pathType === "ImplementationSpecific") {
    const regex = translateRegexPath(path.path);
    return regex.ok
      ? { ok: true, match: { kind: "regex", value: regex.value } }
      : { ok: false, field: `${field}.path`, value: path.path ?? "", message: regex.message };
  }
  const translated = describePath(path.path, path.pathType);
  if (translated.ok) return translated;
  const pathTypeBad = !["Exact", "Prefix", "ImplementationSpecific"].includes(path.pathType);
  return {
    ok: false,
    field: `${field}.${pathTypeBad ? "pathType" : "path"}`,
    value: pathTypeBad ? path.pathType : (path.path ?? ""),
    message: translated.message,
  };
}

/** One path as a route; without a route the path is skipped (its Problems say why). */
function buildRoute(input: RouteInput): { route?: Route; problems: Problem[] } {
  const { ingress, host, path, field } = input;
  const key = objectKey(ingress);
  const problems: Problem[] = [];
  const skip = (f: string, value: string, message: string) => {
    problems.push(createProblem({ ingress: key, field: f, value, message, scope: "rule" }));
    return { problems };
  };
  const match = pathMatchOf(input);
  if (!match.ok) return skip(match.field, match.value, `${match.message}; the path is skipped`);
  const name = path.backend.service?.name;
  let extra: MatchCondition[] = [];
  if (name !== undefined) {
    const read = readConditionsAnnotation(ingress, name);
    if (read.present && !read.ok) {
      const message = `${read.message}; the paths whose backend is "${name}" get no rule until this is fixed, so their requests go to the next matching rule`;
      return skip(read.field, read.raw, message);
    }
    if (read.present) {
      extra = read.value.map(toMatchCondition);
      problems.push(...read.warnings);
    }
  }
  const routeMatch: RouteMatch = {
    ...(host === undefined ? {} : { host }),
    path: match.match,
    conditions: extra,
  };
  // What ALB cannot take is reported here, at the field that states it; the model translates it again.
  const built = translateRouteMatch(routeMatch);
  if (!built.ok) {
    const annotation = `conditions.${name}`;
    const raw = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${annotation}`];
    return raw !== undefined
      ? skip(annotationField(annotation), raw, `${built.message}; the path ${field} is skipped`)
      : skip(field, path.path ?? "", `${built.message}; the path is skipped`);
  }
  const resolved = resolveRouteBackend(ingress, path.backend, `${field}.backend`, input.services);
  problems.push(...resolved.problems);
  let backend = resolved.backend;
  let transforms: readonly RuleTransform[] | undefined;
  if (name !== undefined) {
    const read = readTransformsAnnotation(ingress, name);
    if (read.present && !read.ok) {
      const problem = createProblem({
        ingress: key,
        field: read.field,
        value: read.raw,
        message: `${read.message}; the paths whose backend is "${name}" answer 503 until this is fixed`,
        scope: "rule",
      });
      problems.push(problem);
      backend = { ok: false, action: serviceUnavailable(`Transforms of ${name} are invalid`), problem };
    } else if (read.present) {
      transforms = read.value;
      problems.push(...read.warnings);
    }
  }
  const route: Route = {
    ingress,
    match: routeMatch,
    backend,
    ...(transforms ? { transforms } : {}),
    source: { ingress: key, field },
    specificity: specificityOf(host, path, extra),
  };
  return { route, problems };
}
