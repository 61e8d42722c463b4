import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AWS_OPERATIONS, AWS_SDK_PACKAGES, type AwsService } from "./operations.ts";

const dir = import.meta.dirname;

/** `service:operation` for every `new XxxCommand(` and `paginateXxx(` in the non-test sources of src/aws. */
function scanSources(): { calls: Set<string>; unknownPackages: string[] } {
  const byPackage = new Map(Object.entries(AWS_SDK_PACKAGES).map(([s, p]) => [p, s as AwsService]));
  const calls = new Set<string>();
  const unknownPackages: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
    const text = readFileSync(join(dir, file), "utf8");
    const packages = [...text.matchAll(/from "(@aws-sdk\/client-[a-z0-9-]+)"/g)].map((m) => m[1] ?? "");
    const commands = [...text.matchAll(/new (\w+)Command\(|paginate(\w+)\(/g)].map((m) => m[1] ?? m[2] ?? "");
    if (commands.length === 0) continue;
    // One port per file, one client per port: the commands of a file belong to its one SDK package.
    const services = packages.map((p) => byPackage.get(p));
    if (services.length !== 1 || services[0] === undefined) {
      unknownPackages.push(`${file}: ${packages.join(", ") || "no @aws-sdk client import"}`);
      continue;
    }
    for (const c of commands) calls.add(`${services[0]}:${c}`);
  }
  return { calls, unknownPackages };
}

describe("AWS_OPERATIONS", () => {
  it("lists exactly the commands src/aws sends", () => {
    // Prepare
    const listed = new Set(
      Object.entries(AWS_OPERATIONS).flatMap(([service, ops]) => ops.map((op) => `${service}:${op}`)),
    );
    // Act
    const { calls, unknownPackages } = scanSources();
    // Assess
    expect(unknownPackages).toEqual([]);
    expect([...calls].filter((c) => !listed.has(c)).sort()).toEqual([]);
    expect([...listed].filter((c) => !calls.has(c)).sort()).toEqual([]);
  });

  it("keeps each service's operations sorted and unique", () => {
    for (const ops of Object.values(AWS_OPERATIONS)) expect(ops).toEqual([...new Set(ops)].sort());
  });
});
