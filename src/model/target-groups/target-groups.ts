// Model stage: one target group per described backend that a rule of the group uses, keyed like the
// backend (`<namespace>/<service>:<port as written>`); its name changes when an immutable setting does.

import type { BackendDescription } from "../description.ts";
import type { DesiredTargetGroup, Problem } from "../desired.ts";
import { buildOwnershipTags, buildTargetGroupName, mergeUserTags, type Owner } from "../ownership.ts";
import { compareStrings, sortRecord } from "../problems.ts";

/** Input of `buildTargetGroups`. */
export interface BuildTargetGroupsInput {
  readonly owner: Owner;
  readonly backends: readonly BackendDescription[];
  /** Keys used by the listeners' rules and default actions, and by retained routes. */
  readonly used: ReadonlySet<string>;
}

/** The desired target groups of the used keys, sorted by key, and the Problems of the backends they use. */
export function buildTargetGroups(input: BuildTargetGroupsInput): {
  targetGroups: DesiredTargetGroup[];
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const targetGroups: DesiredTargetGroup[] = [];
  const byKey = new Map(input.backends.map((b) => [b.key, b]));
  for (const key of [...input.used].sort(compareStrings)) {
    const backend = byKey.get(key);
    if (!backend) continue;
    const settings = backend.targetGroup;
    const port = settings.protocol === "HTTPS" ? 443 : 80;
    problems.push(...backend.problems);
    targetGroups.push({
      key,
      name: buildTargetGroupName(input.owner, key, [
        settings.protocol,
        settings.protocolVersion,
        String(port),
        "ip",
      ]),
      protocol: settings.protocol,
      protocolVersion: settings.protocolVersion,
      port,
      targetType: "ip",
      healthCheck: settings.healthCheck,
      targets: backend.targets,
      tags: sortRecord(
        mergeUserTags(buildOwnershipTags(input.owner, "target-group", key), backend.tags).tags,
      ),
      ...(settings.attributes ? { attributes: settings.attributes } : {}),
    });
  }
  return { targetGroups, problems };
}
