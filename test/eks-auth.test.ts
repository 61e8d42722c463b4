// The EKS token path on the testbed: the API server accepts an IAM token through its webhook
// authenticator (which redeems it at LocalStack's STS), maps the role through an access entry, and
// refuses tokens an EKS cluster would refuse. The admin token of the token file keeps working.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEksToken } from "../src/aws/eks-token.ts";
import { buildTokenKubeConfig } from "../src/kube/token-kube-config.ts";
import {
  addAccessEntry,
  apiServerEndpoint,
  assumeRole,
  iamKubeConfig,
  type RoleCredentials,
  requireAuthWebhook,
  reviewAs,
  TESTBED_EKS_CLUSTER,
} from "./support/iam-identity.ts";
import { kubeClients, uniqueSuffix } from "./support/testbed.ts";

const suffix = uniqueSuffix();
const role = `gannet-auth-${suffix}`;
const group = `gannet-auth-${suffix}`;
let credentials: RoleCredentials;
const cleanups: (() => Promise<void>)[] = [];

/** A KubeConfig sending exactly this token. */
function withToken(token: string) {
  return buildTokenKubeConfig({
    ...apiServerEndpoint(),
    tokens: { token: async () => token, invalidate: () => {} },
  });
}

function sign(overrides: Partial<Parameters<typeof buildEksToken>[0]> = {}) {
  return buildEksToken({
    clusterName: TESTBED_EKS_CLUSTER,
    region: "us-east-1",
    credentials,
    signingDate: new Date(),
    ...overrides,
  });
}

/** The token with its URL edited (the form checks run before STS is asked). */
function edit(token: string, change: (url: URL) => void): string {
  const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
  change(url);
  return `k8s-aws-v1.${Buffer.from(url.toString()).toString("base64url")}`;
}

describe("EKS IAM tokens on the testbed's API server", () => {
  beforeAll(async () => {
    credentials = await assumeRole(role, "tests");
    cleanups.push(await addAccessEntry({ name: role, principalArn: credentials.roleArn, groups: [group] }));
    await requireAuthWebhook(credentials, group);
  });
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it("authenticate the assumed role as the access entry maps it: the EKS default username, its groups, the ARNs", async () => {
    const review = await reviewAs(iamKubeConfig(credentials));

    expect(review).toEqual({
      ok: true,
      username: `arn:aws:sts::000000000000:assumed-role/${role}/tests`,
      groups: [group, "system:authenticated"],
      extra: expect.objectContaining({
        arn: [`arn:aws:sts::000000000000:assumed-role/${role}/tests`],
        canonicalArn: [credentials.roleArn],
        sessionName: ["tests"],
        accessKeyId: [credentials.accessKeyId],
      }),
    });
  });

  it("use the username template of the access entry", async () => {
    const other = await assumeRole(`${role}-named`, "session-7");
    cleanups.push(
      await addAccessEntry({
        name: `${role}-named`,
        principalArn: other.roleArn,
        groups: [],
        username: "gannet:{{AccountID}}:{{SessionName}}",
      }),
    );

    expect(await reviewAs(iamKubeConfig(other))).toMatchObject({
      ok: true,
      username: "gannet:000000000000:session-7",
    });
  });

  it.each([
    [
      "a principal with no access entry",
      async () => (await sign({ credentials: await assumeRole(`${role}-none`, "x") })).token,
    ],
    [
      "a token older than 15 minutes",
      async () => (await sign({ signingDate: new Date(Date.now() - 16 * 60_000) })).token,
    ],
    ["a URL to a host that is not STS", async () => (await sign({ stsHostname: "sts.example.com" })).token],
    [
      "a token whose signature leaves out the cluster header",
      async () => edit((await sign()).token, (u) => u.searchParams.set("X-Amz-SignedHeaders", "host")),
    ],
    [
      "another STS action",
      async () => edit((await sign()).token, (u) => u.searchParams.set("Action", "GetSessionToken")),
    ],
    [
      "an extra query parameter",
      async () => edit((await sign()).token, (u) => u.searchParams.set("Extra", "1")),
    ],
    ["a bearer token of another kind", async () => "k8s-aws-v2.abc"],
  ])("refuse %s (401)", async (_, token) => {
    expect(await reviewAs(withToken(await token()))).toEqual({ ok: false, status: 401 });
  });

  it("keep the token file's admin identity working beside the webhook", async () => {
    expect(await reviewAs(kubeClients().config)).toMatchObject({ ok: true, username: "gannet-admin" });
  });
});
