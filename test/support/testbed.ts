// Test support: clients for the real testbed started by the global setup.

import { randomBytes } from "node:crypto";
import { DescribeLoadBalancersCommand, type LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CoreV1Api, DiscoveryV1Api, KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import { inject } from "vitest";
import { CallStats } from "../../src/aws/call-layer.ts";
import { createAwsClients } from "../../src/aws/clients.ts";

/** The testbed's kubeconfig and AWS endpoint, as the global setup found them. */
export function testbedCoordinates(): { kubeconfig: string; awsEndpoint: string } {
  return { kubeconfig: inject("kubeconfig"), awsEndpoint: inject("awsEndpoint") };
}

/** Kubernetes API clients for the testbed's admin identity. */
export function kubeClients() {
  const kc = new KubeConfig();
  kc.loadFromFile(testbedCoordinates().kubeconfig);
  return {
    config: kc,
    core: kc.makeApiClient(CoreV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

/** AWS clients for the testbed's endpoint, counting calls in `stats`. */
export function awsClients(stats = new CallStats()) {
  return {
    stats,
    ...createAwsClients({ region: "us-east-1", endpoint: testbedCoordinates().awsEndpoint }, { stats }),
  };
}

/** A short random suffix for names that must be unique in a shared testbed. */
export function uniqueSuffix(): string {
  return randomBytes(3).toString("hex");
}

/**
 * Every load balancer of the testbed, all pages: the LocalStack is shared, and moto answers 50 per page
 * by default, so a single DescribeLoadBalancers misses ALBs once other tests have made enough of them.
 */
export async function allLoadBalancers(
  elbv2: ReturnType<typeof awsClients>["elbv2"],
): Promise<LoadBalancer[]> {
  const out: LoadBalancer[] = [];
  let marker: string | undefined;
  do {
    const res = await elbv2.send(
      new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }),
    );
    out.push(...(res.LoadBalancers ?? []));
    marker = res.NextMarker;
  } while (marker);
  return out;
}
