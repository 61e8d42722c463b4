// Model stage: the described listener attributes placed on the desired listeners. Attributes for
// `<protocol>-<port>` apply to the listener of that port and protocol; one the group does not have is
// reported (it would have no effect). An HTTPS listener still waiting for its certificate is not built
// yet: its attributes apply once it is.

import type { ListenerAttributesDescription, ListenerDescription } from "../description.ts";
import type { DesiredListener, Problem } from "../desired.ts";
import { createProblem } from "../problems.ts";

/** The listeners with their attributes, and the Problems of attributes that name no listener. */
export function placeListenerAttributes(
  wanted: readonly ListenerAttributesDescription[],
  listeners: readonly DesiredListener[],
  described: readonly ListenerDescription[],
): { listeners: DesiredListener[]; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const target of wanted) {
    const listener = listeners.find((l) => l.port === target.port);
    if (listener && listener.protocol === target.protocol) continue;
    const listened = described.some((l) => l.port === target.port && l.protocol === target.protocol);
    if (!listener && listened) continue;
    const why = listener
      ? `the listener on port ${listener.port} is ${listener.protocol}, not ${target.protocol}`
      : `the load balancer has no listener on port ${target.port} (listeners: ${listeners.map((l) => `${l.protocol}-${l.port}`).join(", ") || "none"})`;
    for (const s of target.statedBy) {
      problems.push(
        createProblem({
          ingress: s.ingress,
          field: s.field,
          value: s.value,
          message: `${why}, so this annotation has no effect: name a listener of listen-ports`,
          scope: "rule",
        }),
      );
    }
  }
  return {
    listeners: listeners.map((l) => {
      const attributes = wanted.find((w) => w.port === l.port && w.protocol === l.protocol)?.attributes;
      return attributes ? { ...l, attributes } : l;
    }),
    problems,
  };
}
