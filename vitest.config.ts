import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // scripts/: the checks of the docs' links and of deploy/iam-policy.json (no server needed); the
          // emulated ALB data plane's pure logic (test infrastructure) is unit-tested beside it.
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/dataplane/**/*.unit.test.ts"],
        },
      },
      {
        test: {
          name: "infra",
          include: ["infra/**/*.test.ts"],
          // The Lambda bundle the constructs deploy, built once per run.
          globalSetup: ["infra/test/global-setup.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/dataplane/**/*.unit.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // Tests share one LocalStack and one API server; files run one at a time to keep AWS call counts exact.
          fileParallelism: false,
        },
      },
    ],
  },
});
