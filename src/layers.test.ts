// The folders of src/ are layers: shared types below everything, then the model, the adapters, and the
// stages in pipeline order, the front doors on top. An import goes down (or stays in its folder), never
// up, so no two folders, and no two files, import each other. Biome's noImportCycles checks files at
// run time; this checks folders, and type-only imports too.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));

/** Each folder's layer: a file may import from its own folder or a lower layer only. */
const LAYER: Readonly<Record<string, number>> = {
  types: 0,
  model: 1,
  // Front ends (Ingress; Gateway API next): Kubernetes objects -> the model's source-neutral description.
  sources: 2,
  aws: 3,
  kube: 3,
  observe: 4,
  plan: 5,
  apply: 6,
  report: 7,
  config: 8,
  reconcile: 9,
  runtime: 10,
  // Fixtures and oracles of the tests: may import anything, imported by tests only.
  testing: 11,
};

/** Imports that go up, each with why it still does. Remove an entry once its import is gone. */
const KNOWN_UPWARD: Readonly<Record<string, string>> = {
  "aws/route53.ts -> plan/record-planner.ts":
    "Route53 batching (change units, in-effect check) is planner code the adapter reuses",
};

/** File cycles allowed (none: a cycle, type-only imports included, fails the test). */
const KNOWN_FILE_CYCLES: readonly string[] = [];

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith("__") ? [] : productionFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Relative imports of every production file of src/, as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of productionFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:from|import)\s+"(\.{1,2}\/[^"]+)"/g)].map((m) =>
      relative(SRC, normalize(join(dirname(file), m[1] ?? ""))),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const folderOf = (path: string) => path.split("/")[0] ?? path;

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) {
          onStack.delete(w);
          scc.push(w);
        }
      } while (w !== undefined && w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("layers of src/", () => {
  const graph = importGraph();

  it("gives every folder a layer", () => {
    const folders = new Set([...graph.keys()].filter((f) => f.includes("/")).map(folderOf));
    expect([...folders].filter((f) => LAYER[f] === undefined)).toEqual([]);
  });

  it("imports only downwards: shared types import nothing, a stage never imports a later one", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = LAYER[folderOf(file)] ?? 0;
      for (const target of targets) {
        if (folderOf(target) === folderOf(file)) continue;
        const edge = `${file} -> ${target}`;
        if ((LAYER[folderOf(target)] ?? 0) >= from && KNOWN_UPWARD[edge] === undefined) upward.push(edge);
      }
    }
    expect(upward).toEqual([]);
  });

  it("has no import cycle between files, type-only imports included", () => {
    const found = cycles(graph).map((c) => c.join(" "));
    expect(found.filter((c) => !KNOWN_FILE_CYCLES.includes(c))).toEqual([]);
  });

  it("has no import cycle between folders", () => {
    const folders = new Map<string, string[]>();
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      folders.set(from, [
        ...(folders.get(from) ?? []),
        ...targets
          .filter((t) => KNOWN_UPWARD[`${file} -> ${t}`] === undefined)
          .map(folderOf)
          .filter((t) => t !== from),
      ]);
    }
    expect(cycles(folders)).toEqual([]);
  });
});
