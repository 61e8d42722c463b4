// Model stage: the routes of a group's members, in AWS LBC's priority order: member order, then rule
// order, then within one rule Exact paths, Prefix paths longest first, ImplementationSpecific paths.
// A bad host or path skips only that rule or path (a Problem with scope "rule").

import { type ResolvedBackend, resolveBackend, type UnresolvedBackend } from "./backends.ts";
import type { Problem, RuleCondition, SourceRef } from "./desired.ts";
import { sortBySeniority } from "./ingress-groups.ts";
import type { Ingress, Service } from "./kube-objects.ts";
import { normalizeHost, sortPaths, translatePath } from "./paths.ts";
import { createProblem, objectKey } from "./problems.ts";

/** One path of one member, with its conditions and resolved backend. */
export interface Route {
  readonly ingress: Ingress;
  readonly conditions: readonly RuleCondition[];
  readonly backend: ResolvedBackend | UnresolvedBackend;
  readonly source: SourceRef;
  /** How specific the route is, as the Ingress spec ranks matches (see `compareSpecificity`). */
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
}

/**
 * Orders routes so that an ALB evaluating rules by ascending priority picks what the Ingress spec
 * picks: an exact host before a wildcard host before no host, then the longest path, then Exact
 * before Prefix. Ties keep group order (a duplicate keeps its first route).
 */
export function compareSpecificity(a: Specificity, b: Specificity): number {
  return a.hostClass - b.hostClass || b.pathLength - a.pathLength || a.pathTypeRank - b.pathTypeRank;
}

function specificityOf(host: string | undefined, path: string | undefined, pathType: string): Specificity {
  const p = path ?? "";
  const trimmed = pathType === "Prefix" && p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
  return {
    hostClass: host === undefined ? 2 : host.startsWith("*.") ? 1 : 0,
    pathLength: trimmed === "/" && pathType === "Prefix" ? 0 : trimmed.length,
    pathTypeRank: pathType === "Exact" ? 0 : pathType === "Prefix" ? 1 : 2,
  };
}

/** The group's default backend: the oldest member's `spec.defaultBackend` (see `compareSeniority`). */
export interface DefaultRoute {
  readonly ingress: Ingress;
  readonly backend: ResolvedBackend | UnresolvedBackend;
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
      const resolved = resolveBackend(ingress, backend, "spec.defaultBackend", services);
      if (!resolved.ok) problems.push(resolved.problem);
      defaultRoute = { ingress, backend: resolved, source: { ingress: key, field: "spec.defaultBackend" } };
    }
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
        const translated = translatePath(path.path, path.pathType);
        if (!translated.ok) {
          const pathTypeBad = !["Exact", "Prefix", "ImplementationSpecific"].includes(path.pathType);
          problems.push(
            createProblem({
              ingress: key,
              field: `${field}.${pathTypeBad ? "pathType" : "path"}`,
              value: pathTypeBad ? path.pathType : (path.path ?? ""),
              message: `${translated.message}; the path is skipped`,
              scope: "rule",
            }),
          );
          continue;
        }
        const conditions: RuleCondition[] = [];
        if (host !== undefined) conditions.push({ field: "host-header", values: [host] });
        conditions.push({ field: "path-pattern", values: translated.values });
        const resolved = resolveBackend(ingress, path.backend, `${field}.backend`, services);
        if (!resolved.ok) problems.push(resolved.problem);
        routes.push({
          ingress,
          conditions,
          backend: resolved,
          source: { ingress: key, field },
          specificity: specificityOf(host, path.path, path.pathType),
        });
      }
    });
  }
  return defaultRoute ? { routes, defaultRoute, problems } : { routes, problems };
}
