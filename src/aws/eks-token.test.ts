import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  buildEksToken,
  decodeEksToken,
  EKS_TOKEN_PREFIX,
  EksTokenError,
  EksTokenSource,
  stsHostnameFor,
} from "./eks-token.ts";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const session = { ...credentials, accessKeyId: "ASIAEXAMPLE", sessionToken: "FQoG/token+with=chars" };
const signingDate = new Date("2026-05-04T10:20:30Z");

// SigV4 written out from AWS's documentation, apart from the signer under test.
function expectedSignature(url: URL, clusterName: string, secret: string): string {
  const query = [...url.searchParams]
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a], [b]) => ((a ?? "") < (b ?? "") ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = [
    "GET",
    "/",
    query,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    "host;x-k8s-aws-id",
    createHash("sha256").update("").digest("hex"),
  ].join("\n");
  const [, date, region, service] = (url.searchParams.get("X-Amz-Credential") ?? "").split("/");
  const toSign = [
    "AWS4-HMAC-SHA256",
    url.searchParams.get("X-Amz-Date"),
    `${date}/${region}/${service}/aws4_request`,
    createHash("sha256").update(canonical).digest("hex"),
  ].join("\n");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  let key = hmac(`AWS4${secret}`, date ?? "");
  for (const part of [region ?? "", service ?? "", "aws4_request"]) key = hmac(key, part);
  return createHmac("sha256", key).update(toSign).digest("hex");
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

describe("buildEksToken", () => {
  it("is k8s-aws-v1. and unpadded base64url of a presigned STS GetCallerIdentity URL", async () => {
    const { token } = await buildEksToken({
      clusterName: "prod",
      region: "eu-west-1",
      credentials,
      signingDate,
    });

    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(token.slice(EKS_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = decodeEksToken(token);
    expect(url.protocol).toBe("https:");
    expect(url.host).toBe("sts.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "AKIDEXAMPLE/20260504/eu-west-1/sts/aws4_request",
      "X-Amz-Date": "20260504T102030Z",
      "X-Amz-Expires": "60",
      "X-Amz-SignedHeaders": "host;x-k8s-aws-id",
      "X-Amz-Signature": expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("signs the x-k8s-aws-id header with the cluster name: the signature is SigV4 over host and that header", async () => {
    const { token } = await buildEksToken({
      clusterName: "prod",
      region: "eu-west-1",
      credentials,
      signingDate,
    });
    const url = decodeEksToken(token);

    expect(url.searchParams.get("X-Amz-Signature")).toBe(
      expectedSignature(url, "prod", credentials.secretAccessKey),
    );
    expect(url.searchParams.get("X-Amz-Signature")).not.toBe(
      expectedSignature(url, "staging", credentials.secretAccessKey),
    );
  });

  it("carries the session token of temporary credentials, and still verifies", async () => {
    const { token } = await buildEksToken({
      clusterName: "prod",
      region: "us-east-1",
      credentials: session,
      signingDate,
    });
    const url = decodeEksToken(token);

    expect(url.searchParams.get("X-Amz-Security-Token")).toBe(session.sessionToken);
    expect(url.searchParams.get("X-Amz-Signature")).toBe(
      expectedSignature(url, "prod", session.secretAccessKey),
    );
  });

  it.each([
    ["us-east-1", "sts.us-east-1.amazonaws.com"],
    ["eu-central-2", "sts.eu-central-2.amazonaws.com"],
    ["cn-north-1", "sts.cn-north-1.amazonaws.com.cn"],
  ])("names the regional STS host of %s", (region, host) => {
    expect(stsHostnameFor(region)).toBe(host);
  });

  it("names another STS host when told to", async () => {
    const { token } = await buildEksToken({
      clusterName: "prod",
      region: "us-east-1",
      credentials,
      signingDate,
      stsHostname: "sts.amazonaws.com",
    });
    expect(decodeEksToken(token).host).toBe("sts.amazonaws.com");
  });

  it("is replaced 14 minutes after signing, or a minute before the credentials expire", async () => {
    const long = await buildEksToken({ clusterName: "c", region: "us-east-1", credentials, signingDate });
    const short = await buildEksToken({
      clusterName: "c",
      region: "us-east-1",
      credentials: { ...session, expiration: new Date(signingDate.getTime() + 5 * 60_000) },
      signingDate,
    });
    expect(long.refreshAt.toISOString()).toBe("2026-05-04T10:34:30.000Z");
    expect(short.refreshAt.toISOString()).toBe("2026-05-04T10:24:30.000Z");
  });

  it("refuses an empty cluster name", async () => {
    await expect(
      buildEksToken({ clusterName: "", region: "us-east-1", credentials, signingDate }),
    ).rejects.toThrow(EksTokenError);
  });
});

describe("decodeEksToken", () => {
  it.each([
    ["a bearer token of another kind", "abc.def.ghi", /starts with "k8s-aws-v1\."/],
    ["padding", `${EKS_TOKEN_PREFIX}aHR0cHM6Ly9h==`, /base64url/],
    ["no URL inside", `${EKS_TOKEN_PREFIX}${Buffer.from("not a url").toString("base64url")}`, /URL/],
  ])("refuses %s", (_, token, message) => {
    expect(() => decodeEksToken(token)).toThrow(message);
  });
});

describe("EksTokenSource", () => {
  function source() {
    let now = signingDate.getTime();
    let signings = 0;
    const tokens = new EksTokenSource({
      clusterName: "prod",
      region: "us-east-1",
      credentials: async () => {
        signings++;
        return credentials;
      },
      now: () => new Date(now),
    });
    return {
      tokens,
      advance: (ms: number) => {
        now += ms;
      },
      signings: () => signings,
    };
  }

  it("keeps one token for 14 minutes, then signs a new one", async () => {
    const s = source();
    const first = await s.tokens.token();
    s.advance(13 * 60_000);
    expect(await s.tokens.token()).toBe(first);
    s.advance(60_000);
    const second = await s.tokens.token();

    expect(second).not.toBe(first);
    expect(decodeEksToken(second).searchParams.get("X-Amz-Date")).toBe("20260504T103430Z");
    expect(s.signings()).toBe(2);
  });

  it("signs once for concurrent callers, and again after invalidate", async () => {
    const s = source();
    const [a, b] = await Promise.all([s.tokens.token(), s.tokens.token()]);
    expect(a).toBe(b);
    expect(s.signings()).toBe(1);
    s.tokens.invalidate();
    s.advance(1000);
    expect(await s.tokens.token()).not.toBe(a);
    expect(s.signings()).toBe(2);
  });

  it("tries again after credentials could not be had", async () => {
    let fail = true;
    const tokens = new EksTokenSource({
      clusterName: "prod",
      region: "us-east-1",
      credentials: async () => {
        if (fail) throw new Error("no credentials");
        return credentials;
      },
    });
    await expect(tokens.token()).rejects.toThrow("no credentials");
    fail = false;
    expect(await tokens.token()).toMatch(/^k8s-aws-v1\./);
  });
});
