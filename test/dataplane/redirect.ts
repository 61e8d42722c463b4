// Emulated ALB data plane, pure: redirect actions, from the API reference's RedirectActionConfig and the
// "Redirect actions" section of AWS's "Listener rules" page.
//  - A URI is protocol://hostname:port/path?query; components not given keep their original values.
//  - Keywords #{protocol}, #{host}, #{port}, #{path} (the leading "/" removed) and #{query}.
//  - Protocol HTTP, HTTPS or #{protocol}; StatusCode HTTP_301 or HTTP_302.

import type { RedirectActionConfig } from "@aws-sdk/client-elastic-load-balancing-v2";

/** The original request's URI components, as the listener received them. */
export interface OriginalUri {
  /** `HTTP` or `HTTPS` (the listener's protocol). */
  readonly protocol: string;
  /** The host name, without port. */
  readonly host: string;
  /** The listener's port. */
  readonly port: number;
  /** The path with its leading `/`. */
  readonly path: string;
  /** The query without its `?` (empty when none). */
  readonly query: string;
}

function substitute(template: string, uri: OriginalUri): string {
  return template
    .replaceAll("#{protocol}", uri.protocol.toLowerCase())
    .replaceAll("#{host}", uri.host)
    .replaceAll("#{port}", String(uri.port))
    .replaceAll("#{path}", uri.path.replace(/^\//, ""))
    .replaceAll("#{query}", uri.query);
}

/** The status code and Location header of a redirect action for a request. */
export function buildRedirect(
  config: RedirectActionConfig,
  uri: OriginalUri,
): { status: number; location: string } {
  const protocol = substitute(config.Protocol ?? "#{protocol}", uri).toLowerCase();
  const host = substitute(config.Host ?? "#{host}", uri);
  const port = substitute(config.Port ?? "#{port}", uri);
  const path = substitute(config.Path ?? "/#{path}", uri);
  const query = substitute(config.Query ?? "#{query}", uri);
  const status = config.StatusCode === "HTTP_301" ? 301 : 302;
  // ALB writes the port even when it is the protocol's default (https://example.com:443/).
  return { status, location: `${protocol}://${host}:${port}${path}${query === "" ? "" : `?${query}`}` };
}
