// Plan stage: the ingress rules `manage-backend-security-group-rules` asks for. Pure.
//
// What AWS LBC does: it attaches a shared backend security group to its load balancers and, for every
// target, adds a rule to the security group of the target's network interface allowing the target port
// from that backend group (choosing, on an interface with several groups, the one tagged
// `kubernetes.io/cluster/<cluster>`).
// What Gannet does, a subset for IP targets: a backend security group per Ingress group (Gannet's own,
// tagged, deleted with the group), attached to the ALB beside the frontend groups; for every target pod IP,
// the security group of the interface holding it (the node's, or the pod's own with security groups for
// pods; several: the one tagged `kubernetes.io/cluster/<cluster>`) gets one TCP rule per target port (and
// per health check port when it is not the traffic port) from the backend group. Each rule is tagged with
// Gannet's ownership tags and described, so Gannet revokes only its own rules; the target security groups
// themselves are never created, deleted or otherwise changed.

import type { DesiredGroup, Problem } from "../model/desired.ts";
import { createProblem } from "../model/problems.ts";
import type { ObservedGroup, ObservedSecurityGroup } from "../types/alb.ts";
import type { Change } from "./changes.ts";

/** The backend rule changes: opened before targets register, closed once nothing needs them. */
export interface BackendRulePlan {
  readonly authorize: readonly Change[];
  readonly revoke: readonly Change[];
  readonly problems: readonly Problem[];
}

/** Plans the rules; `keptBackend` is the backend security group that stays (undefined: created now). */
export function planBackendRules(
  desired: DesiredGroup,
  observed: ObservedGroup,
  keptBackend: ObservedSecurityGroup | undefined,
): BackendRulePlan {
  const wanted = new Map<string, Set<number>>();
  const problems: Problem[] = [];
  const backend = desired.backendSecurityGroup;
  if (backend) {
    const unreachable = new Map<string, string>();
    for (const tg of desired.targetGroups) {
      const hc = /^\d+$/.test(tg.healthCheck.port) ? Number(tg.healthCheck.port) : undefined;
      for (const t of tg.targets) {
        const chosen = chooseSecurityGroup(observed.targetSecurityGroups?.[t.id]);
        if (typeof chosen !== "string") {
          unreachable.set(t.id, chosen.why);
          continue;
        }
        const ports = wanted.get(chosen) ?? new Set<number>();
        ports.add(t.port);
        if (hc !== undefined) ports.add(hc);
        wanted.set(chosen, ports);
      }
    }
    for (const [ip, why] of [...unreachable].sort(([a], [b]) => a.localeCompare(b))) {
      problems.push(
        createProblem({
          ...backend.source,
          value: "true",
          message: `target ${ip}: ${why}, so Gannet cannot open it to the load balancer; allow the target port from security group ${keptBackend?.id ?? backend.name} yourself`,
          scope: "rule",
        }),
      );
    }
  }

  const rules = observed.backendRules ?? [];
  const authorize: Change[] = [];
  for (const [securityGroupId, ports] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const have = new Set(
      rules
        .filter((r) => r.securityGroupId === securityGroupId && r.sourceSecurityGroupId === keptBackend?.id)
        .map((r) => r.port),
    );
    const missing = [...ports].filter((p) => !have.has(p)).sort((a, b) => a - b);
    if (missing.length) authorize.push({ kind: "authorizeBackendRules", securityGroupId, ports: missing });
  }
  const stale = rules.filter(
    (r) => r.sourceSecurityGroupId !== keptBackend?.id || !wanted.get(r.securityGroupId)?.has(r.port),
  );
  const revoke: Change[] = [...new Set(stale.map((r) => r.securityGroupId))].sort().map((securityGroupId) => {
    const own = stale.filter((r) => r.securityGroupId === securityGroupId);
    return {
      kind: "revokeBackendRules",
      securityGroupId,
      ruleIds: own.map((r) => r.ruleId),
      ports: [...new Set(own.map((r) => r.port))].sort((a, b) => a - b),
    };
  });
  return { authorize, revoke, problems };
}

function chooseSecurityGroup(
  groups: readonly { readonly id: string; readonly clusterTagged: boolean }[] | undefined,
): string | { why: string } {
  if (!groups || groups.length === 0)
    return { why: "no network interface of the VPC holds this IP (is it a pod IP of this VPC?)" };
  if (groups.length === 1 && groups[0]) return groups[0].id;
  const tagged = groups.filter((g) => g.clusterTagged);
  if (tagged.length === 1 && tagged[0]) return tagged[0].id;
  return {
    why: `its network interface has ${groups.length} security groups (${groups.map((g) => g.id).join(", ")}) and ${tagged.length === 0 ? "none" : "more than one"} is tagged kubernetes.io/cluster/<cluster name>: tag exactly one`,
  };
}
