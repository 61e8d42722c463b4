// Test support: an AWS IAM identity for the EKS token path on the testbed. A role assumed at
// LocalStack's STS, an access entry mapping it to a Kubernetes group (read by the testbed's EKS
// auth webhook, test/support/eks-auth-webhook.ts), and RBAC for that group.

import { readFileSync } from "node:fs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  AuthenticationV1Api,
  CoreV1Api,
  type KubeConfig,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import { buildEksToken } from "../../src/aws/eks-token.ts";
import { buildTokenKubeConfig } from "../../src/kube/token-kube-config.ts";
import { ACCESS_ENTRY_LABEL } from "./eks-auth-webhook.ts";
import { kubeClients, testbedCoordinates } from "./testbed.ts";

/** The cluster name the testbed's webhook expects tokens to be signed for. */
export const TESTBED_EKS_CLUSTER = process.env.GANNET_AUTH_WEBHOOK_CLUSTER ?? "gannet-testbed";

/** Temporary credentials of a role assumed at the testbed's STS. */
export interface RoleCredentials {
  readonly roleArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Assumes `arn:aws:iam::000000000000:role/<roleName>` at LocalStack's STS. */
export async function assumeRole(roleName: string, sessionName: string): Promise<RoleCredentials> {
  const sts = new STSClient({
    region: "us-east-1",
    endpoint: testbedCoordinates().awsEndpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const roleArn = `arn:aws:iam::000000000000:role/${roleName}`;
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
  sts.destroy();
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error("AssumeRole gave no credentials");
  return {
    roleArn,
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
}

/** Where the testbed's API server is, as the Lambda is configured: endpoint and base64 CA. */
export function apiServerEndpoint(): { server: string; caData: string } {
  const kc = kubeClients().config;
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new Error("the testbed kubeconfig names no server");
  const ca = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : undefined);
  if (!ca) throw new Error("the testbed kubeconfig names no CA");
  return { server: cluster.server, caData: ca };
}

/** Maps a principal to a Kubernetes group (an access-entry ConfigMap in kube-system); returns its removal. */
export async function addAccessEntry(entry: {
  readonly name: string;
  readonly principalArn: string;
  readonly groups: readonly string[];
  readonly username?: string;
}): Promise<() => Promise<void>> {
  const core = kubeClients().config.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: "kube-system",
    body: {
      metadata: { name: entry.name, labels: { [ACCESS_ENTRY_LABEL]: "true" } },
      data: {
        principalArn: entry.principalArn,
        groups: entry.groups.join(","),
        ...(entry.username ? { username: entry.username } : {}),
      },
    },
  });
  return async () => {
    await core
      .deleteNamespacedConfigMap({ name: entry.name, namespace: "kube-system" })
      .catch(() => undefined);
  };
}

/**
 * Grants a group what Gannet's controller needs, cluster-wide. The same rules as the controller's
 * ClusterRole; the deploy/ manifests will hold the one to bind instead.
 */
export async function grantControllerRole(name: string, group: string): Promise<() => Promise<void>> {
  const rbac = kubeClients().config.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createClusterRole({
    body: {
      metadata: { name },
      rules: [
        {
          apiGroups: ["networking.k8s.io"],
          resources: ["ingresses"],
          verbs: ["get", "list", "watch", "patch", "update"],
        },
        {
          apiGroups: ["networking.k8s.io"],
          resources: ["ingresses/status"],
          verbs: ["get", "patch", "update"],
        },
        { apiGroups: ["networking.k8s.io"], resources: ["ingressclasses"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
      ],
    },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
    },
  });
  return async () => {
    await rbac.deleteClusterRoleBinding({ name }).catch(() => undefined);
    await rbac.deleteClusterRole({ name }).catch(() => undefined);
  };
}

/** A KubeConfig that authenticates with an EKS token signed by `credentials`, as the Lambda does. */
export function iamKubeConfig(credentials: RoleCredentials, clusterName = TESTBED_EKS_CLUSTER): KubeConfig {
  return buildTokenKubeConfig({
    ...apiServerEndpoint(),
    tokens: {
      token: async () =>
        (await buildEksToken({ clusterName, region: "us-east-1", credentials, signingDate: new Date() }))
          .token,
      invalidate: () => {},
    },
  });
}

/** The user the API server takes a token for, or the HTTP status it refused it with. */
export async function reviewAs(
  kc: KubeConfig,
): Promise<
  | { ok: true; username: string; groups: string[]; extra: Record<string, string[]> }
  | { ok: false; status: number }
> {
  try {
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    const u = review.status?.userInfo;
    return { ok: true, username: u?.username ?? "", groups: u?.groups ?? [], extra: u?.extra ?? {} };
  } catch (err) {
    return { ok: false, status: (err as { code?: number }).code ?? 0 };
  }
}

/** Fails with the fix when the API server does not run the EKS auth webhook (an external server, say). */
export async function requireAuthWebhook(
  credentials: RoleCredentials,
  principalGroup: string,
): Promise<void> {
  const review = await reviewAs(iamKubeConfig(credentials));
  if (review.ok && review.groups.includes(principalGroup)) return;
  throw new Error(
    `the API server at ${apiServerEndpoint().server} does not accept EKS IAM tokens (${JSON.stringify(review)}): ` +
      "its EKS auth webhook is not running or not configured. test/apiserver/start.sh starts both " +
      "(log: <state>/apiserver/auth-webhook.log); a server given by GANNET_KUBECONFIG needs " +
      "--authentication-token-webhook-config-file pointing at test/support/eks-auth-webhook-main.ts",
  );
}
