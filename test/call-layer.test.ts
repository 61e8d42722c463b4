// The AWS call layer around real clients: throttling injected before the request reaches LocalStack
// is retried by the SDK's retry strategy (as the call layer configures it) and counted from the SDK's
// metadata; errors that no retry can fix are not retried.

import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { CallStats, withCallScope } from "../src/aws/call-layer.ts";
import { createAwsClients } from "../src/aws/clients.ts";
import { testbedCoordinates } from "./support/testbed.ts";

function throttled(times: number) {
  return (_service: string, operation: string, attempt: number) => {
    if (operation === "DescribeLoadBalancers" && attempt <= times) {
      throw Object.assign(new Error("Rate exceeded"), {
        name: "ThrottlingException",
        $metadata: { httpStatusCode: 400 },
      });
    }
  };
}

describe("call layer on the real endpoint", () => {
  const endpoint = testbedCoordinates().awsEndpoint;
  const retry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

  it("retries throttling until the call succeeds, and counts every attempt", async () => {
    const stats = new CallStats();
    const clients = createAwsClients(
      { region: "us-east-1", endpoint },
      { stats, retry, faults: throttled(2) },
    );

    const res = await clients.elbv2.send(new DescribeLoadBalancersCommand({}));

    expect(res.LoadBalancers).toBeDefined();
    expect(stats.byOperation.get("ElasticLoadBalancingV2:DescribeLoadBalancers")).toMatchObject({
      calls: 1,
      attempts: 3,
      retries: 2,
      errors: 0,
    });
    clients.elbv2.destroy();
  });

  it("gives up after the last attempt and reports the throttling error", async () => {
    const stats = new CallStats();
    const clients = createAwsClients(
      { region: "us-east-1", endpoint },
      { stats, retry, faults: throttled(10) },
    );

    await expect(clients.elbv2.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
    expect(stats.byOperation.get("ElasticLoadBalancingV2:DescribeLoadBalancers")).toMatchObject({
      attempts: 4,
      errors: 1,
    });
    clients.elbv2.destroy();
  });

  it.each([
    { name: "ThrottlingException", status: 400, retried: true },
    { name: "Throttling", status: 400, retried: true },
    { name: "RequestLimitExceeded", status: 400, retried: true },
    { name: "PriorRequestNotComplete", status: 400, retried: true },
    { name: "InternalFailure", status: 500, retried: true },
    { name: "ServiceUnavailable", status: 503, retried: true },
    { name: "Error", code: "ECONNRESET", retried: true },
    { name: "ValidationError", status: 400, retried: false },
    { name: "LoadBalancerNotFound", status: 400, retried: false },
  ])("a first attempt failing with $name ($status$code) is retried: $retried", async (fault) => {
    const stats = new CallStats();
    const error = Object.assign(new Error(`${fault.name} (injected)`), {
      name: fault.name,
      ...(fault.code ? { code: fault.code } : {}),
      ...(fault.status ? { $metadata: { httpStatusCode: fault.status } } : {}),
    });
    const clients = createAwsClients(
      { region: "us-east-1", endpoint },
      {
        stats,
        retry,
        faults: (_service, _operation, attempt) => {
          if (attempt === 1) throw error;
        },
      },
    );

    const sent = clients.elbv2.send(new DescribeLoadBalancersCommand({}));

    if (fault.retried) await expect(sent).resolves.toBeDefined();
    else await expect(sent).rejects.toBe(error);
    expect(stats.byOperation.get("ElasticLoadBalancingV2:DescribeLoadBalancers")).toMatchObject({
      calls: 1,
      attempts: fault.retried ? 2 : 1,
      errors: fault.retried ? 0 : 1,
    });
    clients.elbv2.destroy();
  });

  it("does not retry an error the request itself causes", async () => {
    const stats = new CallStats();
    const clients = createAwsClients({ region: "us-east-1", endpoint }, { stats, retry });

    await expect(
      clients.elbv2.send(
        new DescribeTargetGroupsCommand({
          TargetGroupArns: ["arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/none/0"],
        }),
      ),
    ).rejects.toBeDefined();
    expect(stats.byOperation.get("ElasticLoadBalancingV2:DescribeTargetGroups")).toMatchObject({
      attempts: 1,
      errors: 1,
    });
    clients.elbv2.destroy();
  });

  it("attributes calls to the scope they were made in, even when scopes run concurrently", async () => {
    const stats = new CallStats();
    const clients = createAwsClients({ region: "us-east-1", endpoint }, { stats });
    const a = new CallStats();
    const b = new CallStats();

    await Promise.all([
      withCallScope(a, async () => {
        await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
        await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
      }),
      withCallScope(b, () => clients.elbv2.send(new DescribeTargetGroupsCommand({}))),
    ]);

    expect(a.totals().calls).toBe(2);
    expect(b.since(new Map())).toEqual({ "ElasticLoadBalancingV2:DescribeTargetGroups": 1 });
    expect(stats.totals().calls).toBe(3);
    clients.elbv2.destroy();
  });
});
