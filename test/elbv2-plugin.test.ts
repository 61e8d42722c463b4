// The testbed's own ELBv2 plugin (RegexValues, rule Transforms): its pytest suite, run against the
// LocalStack this test run uses, so CI runs it with everything else.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { testbedCoordinates } from "./support/testbed.ts";

describe("the testbed's ELBv2 provider plugin", () => {
  it("passes its own tests against the running LocalStack", () => {
    const res = spawnSync("bash", ["localstack/test.sh", "-q"], {
      env: { ...process.env, AWS_ENDPOINT_URL: testbedCoordinates().awsEndpoint },
      encoding: "utf8",
      timeout: 110_000,
    });

    expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
  });
});
