// Kubernetes adapter: server-side apply of YAML manifests (the examples, the IngressClass).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

/** Parses every YAML document of the `.yaml` files in a directory, in file-name order. */
export function readManifests(dir: string): KubernetesObject[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), "utf8"))
      .map((d) => d.toJS() as KubernetesObject | null)
      .filter((o): o is KubernetesObject => o !== null && typeof o === "object"),
  );
}

/** Applies objects with server-side apply (field manager `gannet-dev`), namespaces first. */
export async function applyManifests(
  config: KubeConfig,
  objects: readonly KubernetesObject[],
): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(config);
  const ordered = [...objects].sort(
    (a, b) => Number(b.kind === "Namespace") - Number(a.kind === "Namespace"),
  );
  for (const obj of ordered) {
    await client.patch(obj, undefined, undefined, "gannet-dev", true, PatchStrategy.ServerSideApply);
  }
}
