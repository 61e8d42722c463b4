// Kubernetes adapter: who the API server takes us for (a SelfSubjectReview, allowed to every
// authenticated user), so a Lambda's log says which user its IAM role was mapped to.

import { AuthenticationV1Api, type KubeConfig } from "@kubernetes/client-node";

/** The username the API server authenticated this configuration's credentials as. */
export async function whoAmI(kc: KubeConfig): Promise<string> {
  const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });
  return review.status?.userInfo?.username ?? "(unknown user)";
}
