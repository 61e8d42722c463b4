// Ingress front end: Ingress hosts and paths, described the way AWS LBC translates them to ALB conditions.

import type { PathMatch } from "../../../model/description.ts";
import type { HTTPIngressPath } from "../../../model/kube-objects.ts";
import { translatePathMatch } from "../../../model/listeners/route-match.ts";

/** ALB path-pattern values of one Ingress path, or a message saying what is wrong and the fix. */
export type PathTranslation =
  | { readonly ok: true; readonly values: string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Describes a path: Exact and Prefix as the description's kinds, ImplementationSpecific as an ALB wildcard
 * pattern (`/*` when empty). Fails with what is wrong in the Ingress, or what ALB refuses (route-match.ts).
 */
export function describePath(
  path: string | undefined,
  pathType: string,
): { readonly ok: true; readonly match: PathMatch } | { readonly ok: false; readonly message: string } {
  const p = path ?? "";
  if (pathType !== "Exact" && pathType !== "Prefix" && pathType !== "ImplementationSpecific") {
    return { ok: false, message: 'pathType must be "Exact", "Prefix" or "ImplementationSpecific"' };
  }
  if (p === "") {
    if (pathType === "ImplementationSpecific") return { ok: true, match: { kind: "wildcard", value: "/*" } };
    return { ok: false, message: `the path must be set and begin with "/" for pathType ${pathType}` };
  }
  if (!p.startsWith("/")) return { ok: false, message: 'a path must begin with "/"' };
  if (pathType !== "ImplementationSpecific" && /[*?]/.test(p)) {
    return {
      ok: false,
      message: `a path of pathType ${pathType} must not contain the wildcards "*" or "?": use pathType ImplementationSpecific for a glob`,
    };
  }
  const kind = pathType === "Exact" ? "exact" : pathType === "Prefix" ? "prefix" : "wildcard";
  const match: PathMatch = { kind, value: p };
  const alb = translatePathMatch(match);
  return alb.ok ? { ok: true, match } : alb;
}

/**
 * Translates a path: Exact `/foo` → [`/foo`]; Prefix `/` → [`/*`]; Prefix `/foo` or `/foo/` →
 * [`/foo`, `/foo/*`]; ImplementationSpecific → the glob as written, `/*` when empty.
 */
export function translatePath(path: string | undefined, pathType: string): PathTranslation {
  const described = describePath(path, pathType);
  if (!described.ok) return described;
  const alb = translatePathMatch(described.match);
  if (!alb.ok) return alb;
  return "values" in alb.match ? { ok: true, values: [...alb.match.values] } : { ok: true, values: [] };
}

/**
 * Paths of one rule in AWS LBC's priority order, with their original index: Exact first (as written),
 * then Prefix longest first (stable), then ImplementationSpecific and anything else (as written).
 */
export function sortPaths(
  paths: readonly HTTPIngressPath[],
): { readonly path: HTTPIngressPath; readonly index: number }[] {
  const indexed = paths.map((path, index) => ({ path, index }));
  const rank = (t: string) => (t === "Exact" ? 0 : t === "Prefix" ? 1 : 2);
  return indexed.sort((a, b) => {
    const byType = rank(a.path.pathType) - rank(b.path.pathType);
    if (byType !== 0) return byType;
    if (a.path.pathType === "Prefix") {
      // A trailing slash does not make a Prefix longer: /foo/ is /foo, and ties keep YAML order.
      const length = (p: string | undefined) => (p ?? "").replace(/(.)\/+$/, "$1").length;
      const byLength = length(b.path.path) - length(a.path.path);
      if (byLength !== 0) return byLength;
    }
    return a.index - b.index;
  });
}

const HOST = /^(?:\*\.)?[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** The host in lowercase when it is a DNS name (RFC 1123), optionally with a leading `*.`; else undefined. */
export function normalizeHost(host: string): string | undefined {
  const lower = host.toLowerCase();
  return lower.length <= 253 && HOST.test(lower) ? lower : undefined;
}
