// Golden tests: examples/*.yaml → each group's DesiredGroup JSON in __golden__/<group>.json.
// A reviewer reads the JSON diff to see what a change does. Regenerate with UPDATE_GOLDEN=1.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { EndpointSlice, Ingress, IngressClass, Service } from "../model/kube-objects.ts";
import { buildDesiredGroup } from "../sources/ingress/build-group.ts";
import { GANNET_CONTROLLER, selectIngresses } from "../sources/ingress/groups/ingress-class.ts";
import { groupIngresses } from "../sources/ingress/groups/ingress-groups.ts";
import { CONTEXT, shuffle } from "./test-fixtures.ts";

const here = dirname(fileURLToPath(import.meta.url));
const examplesDir = join(here, "..", "..", "examples");
const goldenDir = join(here, "__golden__");
const update = process.env.UPDATE_GOLDEN === "1";

/** The Kubernetes objects of the examples, by kind, in the shapes the model reads. */
function loadExamples(): {
  ingresses: Ingress[];
  ingressClasses: IngressClass[];
  services: Service[];
  endpointSlices: EndpointSlice[];
} {
  const out = {
    ingresses: [] as Ingress[],
    ingressClasses: [] as IngressClass[],
    services: [] as Service[],
    endpointSlices: [] as EndpointSlice[],
  };
  // The examples' Services select Pods: the slices a cluster publishes for them come from a fixture.
  const files = readdirSync(examplesDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(examplesDir, f));
  for (const file of [...files, join(here, "golden-endpoint-slices.yaml")]) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const obj = doc.toJS() as { kind?: string; metadata?: { namespace?: string } } | null;
      if (!obj) continue;
      // The API server defaults an omitted namespace; the model's shapes require one.
      const withNs = { ...obj, metadata: { namespace: "default", ...obj.metadata } };
      if (obj.kind === "Ingress") out.ingresses.push(withNs as unknown as Ingress);
      else if (obj.kind === "IngressClass") out.ingressClasses.push(obj as unknown as IngressClass);
      else if (obj.kind === "Service") out.services.push(withNs as unknown as Service);
      else if (obj.kind === "EndpointSlice") out.endpointSlices.push(withNs as unknown as EndpointSlice);
    }
  }
  return out;
}

function goldenFile(group: string): string {
  return join(goldenDir, `${group.replaceAll("/", "__")}.json`);
}

function buildAll(objects: ReturnType<typeof loadExamples>, seed?: number) {
  const order = <T>(items: readonly T[]) => (seed === undefined ? [...items] : shuffle(items, seed));
  const { accepted } = selectIngresses({
    ingresses: order(objects.ingresses),
    ingressClasses: order(objects.ingressClasses),
    controller: GANNET_CONTROLLER,
  });
  return [...groupIngresses(accepted).values()].map((g) =>
    buildDesiredGroup({
      group: g.key,
      members: order(g.members),
      services: order(objects.services),
      endpointSlices: order(objects.endpointSlices),
      context: { ...CONTEXT, subnets: order(CONTEXT.subnets) },
    }),
  );
}

describe("examples → golden DesiredGroup JSON", () => {
  const objects = loadExamples();
  const groups = buildAll(objects);

  it("builds every group of the examples", () => {
    expect(groups.map((g) => g.group)).toEqual([
      "gannet-examples/internal-docs",
      "gannet-examples/secure",
      "gannet-examples/site",
      "gannet-examples/store",
      "shop",
    ]);
  });

  it.each(groups.map((g) => [g.group, g] as const))("group %s matches its golden file", (group, desired) => {
    const json = `${JSON.stringify(desired, null, 2)}\n`;
    const file = goldenFile(group);
    if (update) {
      mkdirSync(goldenDir, { recursive: true });
      writeFileSync(file, json);
    }
    expect(existsSync(file), `missing ${file}: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(json).toBe(readFileSync(file, "utf8"));
  });

  it("has no golden file without a group", () => {
    const expected = new Set(groups.map((g) => goldenFile(g.group)));
    const stale = readdirSync(goldenDir).filter((f) => !expected.has(join(goldenDir, f)));
    expect(stale).toEqual([]);
  });

  it("reports problems only for the members that are wrong on purpose (60-shop-trouble.yaml)", () => {
    expect(groups.flatMap((g) => g.problems).map((p) => [p.ingress, p.field])).toEqual([
      ["gannet-examples/shop-promo", "spec.rules[0].http.paths[0]"],
      ["gannet-examples/shop-typo", "metadata.annotations['alb.ingress.kubernetes.io/listen-ports']"],
    ]);
  });

  it.each([1, 2, 3, 42, 1234, 99999])("gives byte-identical JSON for input shuffled with seed %i", (seed) => {
    expect(JSON.stringify(buildAll(objects, seed))).toBe(JSON.stringify(groups));
  });
});
