// AWS adapter: the narrow EKS port. The Lambda runtime asks it where the cluster's API server is
// (endpoint and CA) when they are not configured; one DescribeCluster per cold start.

import { type Cluster, DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { type CallLayerOptions, installCallLayer, retryConfig } from "./call-layer.ts";
import type { AwsSettings } from "./clients.ts";

/** Where a cluster's API server answers, and the CA that signed its certificate (base64 PEM). */
export interface ClusterEndpoint {
  readonly endpoint: string;
  readonly caData: string;
}

/** Raised when a cluster cannot be described or has no endpoint yet; says what to check. */
export class EksClusterError extends Error {
  override readonly name = "EksClusterError";
}

/** The EKS calls Gannet makes. */
export class EksPort {
  private readonly client: EKSClient;

  constructor(client: EKSClient) {
    this.client = client;
  }

  /** The endpoint and CA of a cluster, from DescribeCluster. */
  async describeClusterEndpoint(name: string): Promise<ClusterEndpoint> {
    let cluster: Cluster | undefined;
    try {
      cluster = (await this.client.send(new DescribeClusterCommand({ name }))).cluster;
    } catch (cause) {
      const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw new EksClusterError(
        `eks:DescribeCluster of "${name}" failed (${detail}): check GANNET_EKS_CLUSTER and that the function's role may call eks:DescribeCluster, or set GANNET_EKS_ENDPOINT and GANNET_EKS_CA_DATA`,
        { cause },
      );
    }
    const endpoint = cluster?.endpoint;
    const caData = cluster?.certificateAuthority?.data;
    if (!endpoint || !caData) {
      throw new EksClusterError(
        `EKS cluster "${name}" has no endpoint or CA yet (status ${cluster?.status ?? "unknown"}): wait until it is ACTIVE`,
      );
    }
    return { endpoint, caData };
  }

  /** Closes the client's connection pool. */
  destroy(): void {
    this.client.destroy();
  }
}

/** An EKS port whose calls pass through the call layer (retried by the SDK, counted, timed). */
export function createEksPort(settings: AwsSettings, layer: CallLayerOptions): EksPort {
  const client = new EKSClient({
    region: settings.region,
    ...retryConfig(layer),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
  installCallLayer(client, layer);
  return new EksPort(client);
}
