// Global setup of the infra tests: the Lambda bundle the constructs deploy, built with the project's
// esbuild script (never Docker) into a directory of its own (the integration tests rebuild dist/lambda
// while these run). It is cached by a hash of its inputs, so a warm run does not bundle again.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { bundleLambda } from "../../scripts/bundle-lambda.ts";

declare module "vitest" {
  export interface ProvidedContext {
    lambdaBundleDir: string;
  }
}

const root = join(import.meta.dirname, "..", "..");

/** A hash of everything the bundle is built from: the sources, the bundle script and the lockfile. */
function inputsHash(): string {
  const hash = createHash("sha256");
  const files = [
    ...readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .map((f) => join(root, "src", f)),
    ...readdirSync(join(root, "scripts"), { recursive: true, encoding: "utf8" })
      .filter((f) => /lambda/.test(f) && /\.(ts|cjs)$/.test(f))
      .map((f) => join(root, "scripts", f)),
    join(root, "package-lock.json"),
  ].sort();
  for (const f of files) hash.update(f).update(readFileSync(f));
  return hash.digest("hex").slice(0, 16);
}

export default async function setup(project: TestProject): Promise<void> {
  const outdir = join(root, "node_modules", ".cache", "gannet-infra", `lambda-${inputsHash()}`);
  if (!existsSync(join(outdir, "index.mjs"))) await bundleLambda(outdir);
  project.provide("lambdaBundleDir", outdir);
}
