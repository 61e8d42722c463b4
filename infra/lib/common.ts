// Infrastructure: what both Gannet constructs take and check alike (the cluster, ownership, DNS zones,
// VPC), and the settings they hand to the runtime as environment variables.

import { Fn, Token } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as eks from "aws-cdk-lib/aws-eks";
import type * as route53 from "aws-cdk-lib/aws-route53";

/** Props both flavours of Gannet share. */
export interface GannetControllerBaseProps {
  /** The EKS cluster whose Ingresses Gannet serves. */
  readonly cluster: eks.ICluster;
  /**
   * The cluster name Gannet writes into its ownership tags (`gannet.io/cluster`, GANNET_CLUSTER_NAME);
   * the IAM policy lets it change only resources tagged with this name.
   * @default the EKS cluster's name
   */
  readonly clusterName?: string;
  /**
   * The Route53 hosted zones whose records Gannet manages (GANNET_ZONE_ID_FILTER); its IAM policy
   * may change records in these zones only. At least one.
   */
  readonly hostedZones: readonly route53.IHostedZone[];
  /**
   * The owner id written into TXT ownership records (ExternalDNS's --txt-owner-id).
   * @default the cluster name
   */
  readonly ownerId?: string;
  /**
   * The VPC of the cluster's load balancers (GANNET_VPC_ID); security group writes are limited to it.
   * @default found at run time from the ELB-tagged subnets; security group writes allowed in any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Apply the Kubernetes objects from deploy/ (namespace, RBAC, and the Deployment or the Lambda's
   * bindings) with `cluster.addManifest`. Needs a cluster with kubectl access (`kubectlRoleArn`).
   * @default true
   */
  readonly applyManifests?: boolean;
  /**
   * Also apply Gannet's IngressClass (deploy/ingress-class, marked as the default class).
   * @default true
   */
  readonly ingressClass?: boolean;
}

/** A construct prop that cannot be used; the message names the prop, the value received and the fix. */
export class GannetPropsError extends Error {
  override readonly name = "GannetPropsError";
}

const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;
const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

/** The checked settings both flavours pass on. */
export interface ResolvedBase {
  readonly clusterName: string;
  readonly ownerId: string;
  readonly applyManifests: boolean;
  readonly ingressClass: boolean;
  /** Environment variables of the runtime (settings.ts names). */
  readonly env: Record<string, string>;
}

/** Checks the shared props early (at construction) and derives the runtime's environment. */
export function resolveBase(construct: string, props: GannetControllerBaseProps): ResolvedBase {
  const clusterName = props.clusterName ?? props.cluster.clusterName;
  if (!Token.isUnresolved(clusterName) && !CLUSTER_NAME.test(clusterName)) {
    throw new GannetPropsError(
      `${construct}: clusterName must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit; got ${JSON.stringify(clusterName)}`,
    );
  }
  const ownerId = props.ownerId ?? clusterName;
  if (!Token.isUnresolved(ownerId) && !OWNER_ID.test(ownerId)) {
    throw new GannetPropsError(
      `${construct}: ownerId must be 1-100 letters, digits, '.', '_', '/' or '-' (it is written into TXT records); got ${JSON.stringify(ownerId)}`,
    );
  }
  if (props.hostedZones.length === 0) {
    throw new GannetPropsError(
      `${construct}: hostedZones is empty; give the hosted zones whose records Gannet manages, e.g. route53.HostedZone.fromHostedZoneId(this, "Zone", "Z0123456789ABC")`,
    );
  }
  const applyManifests = props.applyManifests ?? true;
  if (applyManifests && !props.cluster.kubectlRole && !props.cluster.kubectlProvider) {
    throw new GannetPropsError(
      `${construct}: applyManifests needs kubectl access to cluster ${JSON.stringify(props.cluster.clusterName)}, which has none; import it with eks.Cluster.fromClusterAttributes({ kubectlRoleArn, kubectlLayer, ... }), or set applyManifests: false and apply deploy/ yourself (see the README)`,
    );
  }
  return {
    clusterName,
    ownerId,
    applyManifests,
    ingressClass: props.ingressClass ?? true,
    env: {
      GANNET_CLUSTER_NAME: clusterName,
      GANNET_TXT_OWNER_ID: ownerId,
      GANNET_ZONE_ID_FILTER: Fn.join(
        ",",
        props.hostedZones.map((z) => z.hostedZoneId),
      ),
      ...(props.vpc ? { GANNET_VPC_ID: props.vpc.vpcId } : {}),
    },
  };
}
