// Integration tests: start (or reuse) the real testbed once, and stop only what this run started.
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startTestbed, stopTestbed, type Testbed } from "../src/runtime/testbed.ts";

let testbed: Testbed | undefined;

/** Starts the testbed and hands its coordinates to the tests through the environment. */
export async function setup(project: TestProject): Promise<void> {
  const quiet = process.env.CI === "true";
  testbed = await startTestbed({
    onLine: (line) => {
      if (!quiet || /building|built|ready|reusing|install|took/i.test(line)) console.log(line);
    },
  });
  console.log(testbed.description);
  process.env.GANNET_KUBECONFIG = testbed.kubeconfig;
  process.env.AWS_ENDPOINT_URL = testbed.awsEndpoint;
  project.provide("kubeconfig", testbed.kubeconfig);
  project.provide("awsEndpoint", testbed.awsEndpoint);
  project.provide("dataplane", testbed.dataplane);
}

/** Stops the servers this run started; reused ones keep running. */
export async function teardown(): Promise<void> {
  if (testbed && process.env.GANNET_KEEP_TESTBED !== "1") await stopTestbed(testbed);
}

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    awsEndpoint: string;
    /** The emulated ALB data plane's admin URL (test/dataplane/README.md). */
    dataplane: string;
  }
}
