// Infrastructure: `gannet controller` in the cluster (deploy/controller), with an IAM role for its
// ServiceAccount through EKS Pod Identity or IRSA, and Gannet's policy on that role.

import { CfnJson, Stack } from "aws-cdk-lib";
import * as eks from "aws-cdk-lib/aws-eks";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { type GannetControllerBaseProps, GannetPropsError, resolveBase } from "./common.ts";
import { buildGannetPolicyStatements } from "./gannet-policy.ts";
import { controllerIdentity, controllerManifests } from "./manifests.ts";
import { acknowledgeGannetPolicy } from "./nag.ts";

/** How the controller's pods get their AWS credentials. */
export type PodCredentials = "pod-identity" | "irsa";

/** Props of {@link GannetInClusterController}. */
export interface GannetInClusterControllerProps extends GannetControllerBaseProps {
  /**
   * The controller's container image, built with the repository's Dockerfile and pushed to a
   * registry the nodes can pull from, e.g. `repository.repositoryUriForTag("0.1.0")` of an
   * `ecr.IRepository`. CDK does not build it.
   */
  readonly image: string;
  /**
   * How the pods get the role: an EKS Pod Identity association (needs the eks-pod-identity-agent
   * add-on), or IRSA (needs the cluster's OpenID Connect provider, `openIdConnectProvider`).
   * @default "pod-identity"
   */
  readonly credentials?: PodCredentials;
  /**
   * Replicas of the Deployment: one leader, the others warm standbys.
   * @default 2
   */
  readonly replicas?: number;
}

/** Gannet's in-cluster controller: its IAM role, and deploy/ applied to the cluster with that role. */
export class GannetInClusterController extends Construct {
  /** The role the controller's pods run with. */
  readonly role: iam.Role;
  /** The Kubernetes objects applied (absent with `applyManifests: false`). */
  readonly manifest?: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: GannetInClusterControllerProps) {
    super(scope, id);
    const base = resolveBase("GannetInClusterController", props);
    const credentials = props.credentials ?? "pod-identity";
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) {
      throw new GannetPropsError(
        `GannetInClusterController: replicas must be a whole number from 1 to 10 (2: a leader and a warm standby); got ${replicas}`,
      );
    }
    if (!/^\S+$/.test(props.image)) {
      throw new GannetPropsError(
        `GannetInClusterController: image must be an image reference such as 111122223333.dkr.ecr.eu-west-1.amazonaws.com/gannet:0.1.0; got ${JSON.stringify(props.image)}`,
      );
    }
    const { namespace, serviceAccount } = controllerIdentity();

    this.role = new iam.Role(this, "Role", {
      assumedBy:
        credentials === "irsa"
          ? this.irsaPrincipal(props.cluster, namespace, serviceAccount)
          : new iam.SessionTagsPrincipal(new iam.ServicePrincipal("pods.eks.amazonaws.com")),
      description: `Gannet Ingress controller of EKS cluster ${props.cluster.clusterName} (${namespace}/${serviceAccount})`,
    });
    const policy = new iam.Policy(this, "Policy", {
      roles: [this.role],
      statements: buildGannetPolicyStatements(this, {
        runtime: "in-cluster",
        clusterName: base.clusterName,
        hostedZones: props.hostedZones,
        ...(props.vpc ? { vpc: props.vpc } : {}),
      }),
    });
    acknowledgeGannetPolicy(policy);
    if (credentials === "pod-identity") {
      new eks.CfnPodIdentityAssociation(this, "PodIdentityAssociation", {
        clusterName: props.cluster.clusterName,
        namespace,
        serviceAccount,
        roleArn: this.role.roleArn,
      });
    }
    if (base.applyManifests) {
      this.manifest = props.cluster.addManifest(
        `${id}Manifests`,
        ...controllerManifests({
          image: props.image,
          env: { ...base.env, AWS_REGION: Stack.of(this).region },
          replicas,
          ingressClass: base.ingressClass,
          ...(credentials === "irsa"
            ? { serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": this.role.roleArn } }
            : {}),
        }),
      );
    }
  }

  private irsaPrincipal(cluster: eks.ICluster, namespace: string, serviceAccount: string): iam.IPrincipal {
    let provider: iam.IOpenIdConnectProvider;
    try {
      provider = cluster.openIdConnectProvider;
    } catch (cause) {
      throw new GannetPropsError(
        `GannetInClusterController: credentials "irsa" needs the OpenID Connect provider of cluster ${JSON.stringify(cluster.clusterName)}; import the cluster with openIdConnectProvider, or use credentials "pod-identity"`,
        { cause },
      );
    }
    // The issuer is a token until deploy: condition keys built from it need CfnJson.
    const issuer = provider.openIdConnectProviderIssuer;
    const conditions = new CfnJson(this, "IrsaConditions", {
      value: {
        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    });
    return new iam.OpenIdConnectPrincipal(provider).withConditions({ StringEquals: conditions });
  }
}
