// Test support: what happens to an Ingress while Gannet is not running (uninstalled): someone removes
// its finalizers by hand and deletes it, so its AWS resources are left behind for `gannet gc`.

import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Scenario } from "./scenario.ts";

/** Removes every finalizer of an Ingress of the scenario's namespace, then deletes it: it is gone at once. */
export async function abandonIngress(s: Scenario, name: string): Promise<void> {
  await s.kube.networking.patchNamespacedIngress(
    {
      name,
      namespace: s.namespace,
      body: [{ op: "replace", path: "/metadata/finalizers", value: [] }],
    },
    setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
  );
  await s.kube.networking.deleteNamespacedIngress({ name, namespace: s.namespace });
}
