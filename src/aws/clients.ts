// AWS adapter: SDK clients, each retrying with the SDK's standard strategy as Gannet configures it and
// wrapped by the one call layer (count, time, fault hook).

import { ACMClient } from "@aws-sdk/client-acm";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Route53Client } from "@aws-sdk/client-route-53";
import { WAFV2Client } from "@aws-sdk/client-wafv2";
import { type CallLayerOptions, installCallLayer, retryConfig } from "./call-layer.ts";

/** Where and how to reach AWS. */
export interface AwsSettings {
  readonly region: string;
  /** An endpoint override (LocalStack, a VPC endpoint); absent for real AWS. */
  readonly endpoint?: string;
}

/** The SDK clients Gannet uses, all passing through the call layer. */
export interface AwsClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly ec2: EC2Client;
  readonly acm: ACMClient;
  readonly route53: Route53Client;
  readonly wafv2: WAFV2Client;
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === "localhost" || host.startsWith("127.") || host === "[::1]";
  } catch {
    return false;
  }
}

/** Builds the clients. A loopback endpoint (LocalStack) gets test credentials when none are configured. */
export function createAwsClients(settings: AwsSettings, layer: CallLayerOptions): AwsClients {
  const local =
    settings.endpoint !== undefined && isLoopback(settings.endpoint) && !process.env.AWS_ACCESS_KEY_ID;
  // Each client gets its own retry strategy, as the SDK does: one service's throttling drains only
  // that service's retry quota.
  const config = () => ({
    region: settings.region,
    ...retryConfig(layer),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: "test", secretAccessKey: "test" } } : {}),
  });
  const clients: AwsClients = {
    elbv2: new ElasticLoadBalancingV2Client(config()),
    ec2: new EC2Client(config()),
    acm: new ACMClient(config()),
    // Route53 is a global service whose endpoint lives in us-east-1.
    route53: new Route53Client({ ...config(), region: "us-east-1" }),
    wafv2: new WAFV2Client(config()),
  };
  for (const client of Object.values(clients)) installCallLayer(client, layer);
  return clients;
}

/** Closes the clients' connection pools. */
export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
