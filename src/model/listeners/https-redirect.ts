// Model stage: once the group serves HTTPS on the described redirect port, every HTTP listener answers
// with a permanent redirect to it, rules and default alike.

import type { DesiredListener } from "../desired.ts";

/** HTTP listeners redirect to HTTPS on `port` when the group has an HTTPS listener there. */
export function applySslRedirect(
  listeners: readonly DesiredListener[],
  port: number | undefined,
): DesiredListener[] {
  if (port === undefined || !listeners.some((l) => l.protocol === "HTTPS" && l.port === port))
    return [...listeners];
  return listeners.map((l) =>
    l.protocol === "HTTP"
      ? {
          ...l,
          defaultActions: [
            { type: "redirect", statusCode: "HTTP_301", protocol: "HTTPS", port: String(port) },
          ],
          rules: [],
        }
      : l,
  );
}
