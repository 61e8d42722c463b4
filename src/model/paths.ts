// Model stage: Ingress hosts and paths translated to ALB conditions, the way AWS LBC translates them.

import type { HTTPIngressPath } from "./kube-objects.ts";

/** ALB path-pattern values of one Ingress path, or a message saying what is wrong and the fix. */
export type PathTranslation =
  | { readonly ok: true; readonly values: string[] }
  | { readonly ok: false; readonly message: string };

const MAX_PATTERN_LENGTH = 128;
const PATTERN_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;

/**
 * Translates a path: Exact `/foo` → [`/foo`]; Prefix `/` → [`/*`]; Prefix `/foo` or `/foo/` →
 * [`/foo`, `/foo/*`]; ImplementationSpecific → the glob as written, `/*` when empty.
 */
export function translatePath(path: string | undefined, pathType: string): PathTranslation {
  const p = path ?? "";
  if (pathType !== "Exact" && pathType !== "Prefix" && pathType !== "ImplementationSpecific") {
    return { ok: false, message: 'pathType must be "Exact", "Prefix" or "ImplementationSpecific"' };
  }
  if (p === "") {
    if (pathType === "ImplementationSpecific") return { ok: true, values: ["/*"] };
    return { ok: false, message: `the path must be set and begin with "/" for pathType ${pathType}` };
  }
  if (!p.startsWith("/")) return { ok: false, message: 'a path must begin with "/"' };
  if (pathType !== "ImplementationSpecific" && /[*?]/.test(p)) {
    return {
      ok: false,
      message: `a path of pathType ${pathType} must not contain the wildcards "*" or "?": use pathType ImplementationSpecific for a glob`,
    };
  }
  let values: string[];
  if (pathType === "Exact") values = [p];
  else if (pathType === "ImplementationSpecific") values = [p];
  else if (p === "/") values = ["/*"];
  else {
    const base = p.endsWith("/") ? p.slice(0, -1) : p;
    values = [base, `${base}/*`];
  }
  if (!PATTERN_CHARS.test(p)) {
    return { ok: false, message: `an ALB path pattern allows only letters, digits and _-.$/~"'@:+&*?` };
  }
  if (values.some((v) => v.length > MAX_PATTERN_LENGTH)) {
    return { ok: false, message: `an ALB path pattern is at most ${MAX_PATTERN_LENGTH} characters long` };
  }
  return { ok: true, values };
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
