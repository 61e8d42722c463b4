// AWS adapter: the EKS bearer token, built from the caller's own AWS credentials.
//
// The token is what aws-iam-authenticator and `aws eks get-token` produce: `k8s-aws-v1.` followed by
// the base64url (no padding) of a presigned STS GetCallerIdentity URL whose signature covers the
// header `x-k8s-aws-id: <cluster name>`. EKS redeems the URL with STS to learn who signed it, and the
// signed header binds the token to one cluster. STS accepts the URL for 15 minutes after its
// X-Amz-Date whatever X-Amz-Expires says (60 here, for old authenticators that check 0..60).

import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** The prefix of every EKS token. */
export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
/** The signed header naming the cluster a token is for. */
export const CLUSTER_ID_HEADER = "x-k8s-aws-id";
/** How long STS accepts the presigned URL after its X-Amz-Date. */
export const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;
/** A cached token is replaced this long before STS would refuse it (the margin aws-iam-authenticator keeps). */
export const EKS_TOKEN_REFRESH_MARGIN_MS = 60_000;
const PRESIGN_EXPIRES_SECONDS = 60;

/** A token and when to stop using it. */
export interface EksToken {
  readonly token: string;
  readonly signedAt: Date;
  /** When a cached copy must be replaced: 14 minutes after signing, or earlier if the credentials expire. */
  readonly refreshAt: Date;
}

/** What one token is built from. */
export interface EksTokenInput {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
  readonly signingDate: Date;
  /** The STS host the URL names; default the regional endpoint `sts.<region>.amazonaws.com`. */
  readonly stsHostname?: string;
}

/** Raised when a token cannot be built or read; says what was wrong. */
export class EksTokenError extends Error {
  override readonly name = "EksTokenError";
}

/** The regional STS host of a region (`.amazonaws.com.cn` in the China partition). */
export function stsHostnameFor(region: string): string {
  return `sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/** Builds one token: presigns GetCallerIdentity with the cluster header signed, and encodes the URL. */
export async function buildEksToken(input: EksTokenInput): Promise<EksToken> {
  if (!input.clusterName)
    throw new EksTokenError("an EKS token needs a cluster name: set GANNET_EKS_CLUSTER");
  const hostname = input.stsHostname ?? stsHostnameFor(input.region);
  const signer = new SignatureV4({
    service: "sts",
    region: input.region,
    credentials: input.credentials,
    sha256: Hash.bind(null, "sha256"),
  });
  const presigned = await signer.presign(
    new HttpRequest({
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: input.clusterName },
    }),
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: input.signingDate },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(String(v))}`)
    .join("&");
  const url = `https://${hostname}/?${query}`;
  const signedAt = input.signingDate;
  const expiry = input.credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
  const refreshAt = new Date(
    Math.min(signedAt.getTime() + EKS_TOKEN_LIFETIME_MS, expiry) - EKS_TOKEN_REFRESH_MARGIN_MS,
  );
  return { token: EKS_TOKEN_PREFIX + Buffer.from(url).toString("base64url"), signedAt, refreshAt };
}

/** Reads the presigned URL back out of a token (tests, diagnostics); throws EksTokenError on a malformed one. */
export function decodeEksToken(token: string): URL {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) {
    throw new EksTokenError(`an EKS token starts with "${EKS_TOKEN_PREFIX}"; got "${token.slice(0, 12)}…"`);
  }
  const body = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new EksTokenError("the token body is not unpadded base64url");
  try {
    return new URL(Buffer.from(body, "base64url").toString("utf8"));
  } catch (cause) {
    throw new EksTokenError("the token body does not decode to a URL", { cause });
  }
}

// SigV4 canonical query encoding: encodeURIComponent leaves !'()* as they are; SigV4 escapes them.
function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Where a token source gets what it signs with. */
export interface EksTokenSourceOptions {
  readonly clusterName: string;
  readonly region: string;
  /** Default: the SDK's credential provider chain (environment, the Lambda role, web identity, profiles). */
  readonly credentials?: AwsCredentialIdentityProvider;
  readonly stsHostname?: string;
  readonly now?: () => Date;
}

/** Hands out a cached token, building a new one shortly before the old one expires or after `invalidate`. */
export class EksTokenSource {
  private readonly opts: EksTokenSourceOptions;
  private readonly credentials: AwsCredentialIdentityProvider;
  private current: EksToken | undefined;
  private pending: Promise<EksToken> | undefined;

  constructor(opts: EksTokenSourceOptions) {
    this.opts = opts;
    this.credentials = opts.credentials ?? fromNodeProviderChain();
  }

  /** The current token (one signing per 14 minutes; concurrent callers share one signing). */
  async token(): Promise<string> {
    const now = this.now();
    if (this.current && this.current.refreshAt.getTime() > now.getTime()) return this.current.token;
    this.pending ??= this.build(now)
      .then((t) => {
        this.current = t;
        return t;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return (await this.pending).token;
  }

  /** Forgets the cached token (after a 401: the API server no longer accepts it). */
  invalidate(): void {
    this.current = undefined;
  }

  private async build(now: Date): Promise<EksToken> {
    const credentials = await this.credentials();
    return buildEksToken({
      clusterName: this.opts.clusterName,
      region: this.opts.region,
      credentials,
      signingDate: now,
      ...(this.opts.stsHostname ? { stsHostname: this.opts.stsHostname } : {}),
    });
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}
