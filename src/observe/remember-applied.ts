// Observe stage: the pass's inventory learns what an apply did (ALBs, target groups and security groups
// created or deleted, fingerprints, zones whose records changed), so later groups of the pass, and the
// controller's reconciles that share the inventory for a while, see AWS as it is.

import { TAG } from "../model/ownership.ts";
import type { PortCidr } from "../types/alb.ts";
import type { InventoryEffect } from "../types/effects.ts";
import type { ClusterInventory } from "./observe-aws.ts";

/** Records the effects of an apply in the inventory, in order. */
export function rememberApplied(inventory: ClusterInventory, effects: readonly InventoryEffect[]): void {
  for (const e of effects) {
    switch (e.kind) {
      case "loadBalancerCreated":
        inventory.loadBalancers.push(e.loadBalancer);
        break;
      case "loadBalancerDeleted":
        removeWhere(inventory.loadBalancers, (lb) => lb.arn === e.arn);
        break;
      case "targetGroupCreated":
        inventory.targetGroups.push(e.targetGroup);
        break;
      case "targetGroupDeleted":
        removeWhere(inventory.targetGroups, (tg) => tg.arn === e.arn);
        break;
      case "securityGroupCreated":
        inventory.securityGroups.push(e.securityGroup);
        break;
      case "securityGroupDeleted":
        removeWhere(inventory.securityGroups, (sg) => sg.id === e.id);
        break;
      case "securityGroupIngress":
        updateIngress(inventory, e.id, e.authorized, e.revoked);
        break;
      case "recordsChanged":
        // Read again by the next group that needs the zone.
        inventory.dns.recordSets.delete(e.zoneId);
        break;
      case "stateTag": {
        const i = inventory.loadBalancers.findIndex((lb) => lb.arn === e.arn);
        const lb = inventory.loadBalancers[i];
        if (!lb) break;
        const { [TAG.state]: _, ...tags } = lb.tags;
        inventory.loadBalancers[i] = { ...lb, tags: e.value ? { ...tags, [TAG.state]: e.value } : tags };
        break;
      }
    }
  }
}

function updateIngress(
  inventory: ClusterInventory,
  id: string,
  authorized: readonly PortCidr[],
  revoked: readonly PortCidr[],
): void {
  const i = inventory.securityGroups.findIndex((sg) => sg.id === id);
  const sg = inventory.securityGroups[i];
  if (!sg) return;
  const gone = new Set(revoked.map((r) => `${r.port}/${r.cidr}`));
  inventory.securityGroups[i] = {
    ...sg,
    ingress: [...sg.ingress.filter((r) => !gone.has(`${r.port}/${r.cidr}`)), ...authorized],
  };
}

function removeWhere<T>(list: T[], match: (t: T) => boolean): void {
  const i = list.findIndex(match);
  if (i >= 0) list.splice(i, 1);
}
