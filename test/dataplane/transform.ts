// Emulated ALB data plane, pure: rule transforms, from AWS's "Transforms for listener rules" page and the
// API reference (RuleTransform, HostHeaderRewriteConfig, UrlRewriteConfig, RewriteConfig).
//  - host-header-rewrite rewrites the Host header; url-rewrite rewrites the URL's path and query.
//  - Each rewrite replaces the first match of Regex with Replace ($1, $2 name capture groups).
//  - No match: the request goes on unchanged. A match whose result is not a valid host or URL: HTTP 500.
//  - Transforms never change the routing decision (they run after the rule is chosen).

import type { RewriteConfig, RuleTransform } from "@aws-sdk/client-elastic-load-balancing-v2";

/** The parts of a request a transform may change. */
export interface RewritableRequest {
  readonly host: string;
  readonly path: string;
  readonly query: string;
}

/** The rewritten request, or the reason the transform failed (the load balancer answers 500). */
export type TransformResult = { ok: true; request: RewritableRequest } | { ok: false; reason: string };

function rewrite(input: string, rewrites: readonly RewriteConfig[]): string {
  let out = input;
  for (const r of rewrites) {
    const re = new RegExp(r.Regex ?? "");
    if (re.test(out)) out = out.replace(re, r.Replace ?? "");
  }
  return out;
}

const VALID_HOST = /^[A-Za-z0-9.\-_]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Applies a rule's transforms to a request, host first then URL (their order in the rule does not matter). */
export function applyTransforms(
  transforms: readonly RuleTransform[] | undefined,
  request: RewritableRequest,
): TransformResult {
  let { host, path, query } = request;
  try {
    for (const t of transforms ?? []) {
      if (t.Type === "host-header-rewrite") {
        const next = rewrite(host, t.HostHeaderRewriteConfig?.Rewrites ?? []);
        if (next !== host && !VALID_HOST.test(next))
          return { ok: false, reason: `host rewritten to an invalid host ${JSON.stringify(next)}` };
        host = next;
      } else if (t.Type === "url-rewrite") {
        const url = query === "" ? path : `${path}?${query}`;
        const next = rewrite(url, t.UrlRewriteConfig?.Rewrites ?? []);
        if (next === url) continue;
        if (!next.startsWith("/") || /\s/.test(next))
          return { ok: false, reason: `URL rewritten to an invalid URL ${JSON.stringify(next)}` };
        const q = next.indexOf("?");
        path = q < 0 ? next : next.slice(0, q);
        query = q < 0 ? "" : next.slice(q + 1);
      }
    }
  } catch (err) {
    return { ok: false, reason: `transform failed: ${(err as Error).message}` };
  }
  return { ok: true, request: { host, path, query } };
}
