// Test fixture: a webhook token authenticator (authentication.k8s.io/v1 TokenReview) that does for the
// testbed's kube-apiserver what EKS does with IAM: it accepts the `k8s-aws-v1.` token, redeems the
// presigned STS GetCallerIdentity URL inside it against LocalStack's STS, and maps the AWS principal
// to a Kubernetes user through access entries, as EKS access entries do.
//
// Access entries are ConfigMaps in kube-system labelled `gannet.io/access-entry: "true"` with
// `principalArn` (an IAM role or user ARN), optional `username` (`{{SessionName}}` and
// `{{AccountID}}` are filled in; default the EKS default: the assumed-role ARN with the session name)
// and optional `groups` (comma-separated). They live in Kubernetes so parallel tests add their own
// without sharing a file.
//
// Checked like aws-iam-authenticator's verifier: the prefix, unpadded base64url, an https URL to an
// STS host, path `/`, only the allowed query parameters each once, Action=GetCallerIdentity,
// `x-k8s-aws-id` among the signed headers, X-Amz-Expires within 0..900, and an X-Amz-Date not older
// than 15 minutes. The URL is redeemed with `x-k8s-aws-id: <this cluster>`, so AWS STS would refuse a
// token signed for another cluster. Two LocalStack gaps, and what this fixture does about them:
// LocalStack does not verify SigV4 signatures (so the cluster name inside the signature is never
// checked here: the unit tests of src/aws/eks-token.ts check the signature itself), and it reads the
// caller only from an Authorization header, never from a presigned query, so the redemption also
// carries the query's credential, date and session token as headers (real STS needs none of them).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";

/** How the webhook reaches STS and the API server, and which cluster it serves. */
export interface EksAuthWebhookOptions {
  /** The cluster name a token must be signed for (the `x-k8s-aws-id` value). */
  readonly clusterName: string;
  /** Where to redeem the presigned URL: LocalStack's endpoint (the URL's host is replaced by it). */
  readonly stsEndpoint: string;
  /** The API server to read access entries from, with an identity that may list ConfigMaps in kube-system. */
  readonly kube: { readonly server: string; readonly ca: Buffer; readonly token: string };
  readonly now?: () => Date;
}

/** The AWS identity a token proved. */
export interface AwsIdentity {
  readonly arn: string;
  /** The IAM ARN an access entry names: an assumed role becomes its role. */
  readonly canonicalArn: string;
  readonly accountId: string;
  readonly userId: string;
  readonly sessionName?: string;
  readonly accessKeyId: string;
}

/** A Kubernetes user an access entry maps an identity to. */
export interface MappedUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly extra: Record<string, string[]>;
}

/** Raised for a token this authenticator refuses; the message goes back in the TokenReview. */
export class TokenRejectedError extends Error {
  override readonly name = "TokenRejectedError";
}

const PREFIX = "k8s-aws-v1.";
const CLUSTER_HEADER = "x-k8s-aws-id";
const LIFETIME_MS = 15 * 60_000;
const ALLOWED_PARAMS = new Set([
  "action",
  "version",
  "x-amz-algorithm",
  "x-amz-credential",
  "x-amz-date",
  "x-amz-expires",
  "x-amz-security-token",
  "x-amz-signature",
  "x-amz-signedheaders",
]);
const STS_HOST = /^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** Checks a token's form and returns its presigned URL and lower-cased parameters. */
export function parseEksToken(token: string, now: Date): { url: URL; params: Map<string, string> } {
  if (token.length > 4096) throw new TokenRejectedError("token is too large");
  if (!token.startsWith(PREFIX)) throw new TokenRejectedError(`token is missing the "${PREFIX}" prefix`);
  const body = token.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new TokenRejectedError("token is not unpadded base64url");
  let url: URL;
  try {
    url = new URL(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    throw new TokenRejectedError("token does not hold a URL");
  }
  if (url.protocol !== "https:") throw new TokenRejectedError(`unexpected scheme ${url.protocol}`);
  if (!STS_HOST.test(url.host)) throw new TokenRejectedError(`unexpected hostname "${url.host}"`);
  if (url.pathname !== "/") throw new TokenRejectedError("unexpected path in pre-signed URL");
  const params = new Map<string, string>();
  for (const key of new Set(url.searchParams.keys())) {
    const lower = key.toLowerCase();
    if (!ALLOWED_PARAMS.has(lower)) throw new TokenRejectedError(`query parameter "${key}" is not allowed`);
    const values = url.searchParams.getAll(key);
    if (values.length !== 1 || params.has(lower)) {
      throw new TokenRejectedError(`query parameter "${key}" appears more than once`);
    }
    params.set(lower, values[0] ?? "");
  }
  if (params.get("action") !== "GetCallerIdentity")
    throw new TokenRejectedError("action is not GetCallerIdentity");
  const signed = (params.get("x-amz-signedheaders") ?? "").toLowerCase().split(";");
  if (!signed.includes(CLUSTER_HEADER)) {
    throw new TokenRejectedError(`the ${CLUSTER_HEADER} header is not signed in the pre-signed URL`);
  }
  const expires = Number(params.get("x-amz-expires"));
  if (!Number.isInteger(expires) || expires < 0 || expires > 900) {
    throw new TokenRejectedError(`invalid X-Amz-Expires "${params.get("x-amz-expires")}"`);
  }
  const date = parseAmzDate(params.get("x-amz-date") ?? "");
  if (now.getTime() > date.getTime() + LIFETIME_MS) {
    throw new TokenRejectedError(`X-Amz-Date ${params.get("x-amz-date")} is more than 15 minutes old`);
  }
  return { url, params };
}

function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new TokenRejectedError(`X-Amz-Date "${value}" is not of the form 20060102T150405Z`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** `arn:aws:sts::A:assumed-role/R/S` → `arn:aws:iam::A:role/R`; IAM users and roles stay as they are. */
export function canonicalizeArn(arn: string): string {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (m) return `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
  if (
    /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/.+$/.test(arn) ||
    /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(arn)
  ) {
    return arn;
  }
  throw new TokenRejectedError(`unsupported principal ARN "${arn}"`);
}

/** Redeems the presigned URL at the STS endpoint and returns who signed it. */
export async function redeemToken(
  parsed: { url: URL; params: Map<string, string> },
  opts: Pick<EksAuthWebhookOptions, "clusterName" | "stsEndpoint">,
): Promise<AwsIdentity> {
  const { url, params } = parsed;
  const target = new URL(`${url.pathname}${url.search}`, opts.stsEndpoint);
  const headers: Record<string, string> = { [CLUSTER_HEADER]: opts.clusterName, accept: "application/json" };
  // LocalStack only: it learns the caller from an Authorization header (see the header comment).
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${params.get("x-amz-credential")}, ` +
    `SignedHeaders=${params.get("x-amz-signedheaders")}, Signature=${params.get("x-amz-signature")}`;
  headers["x-amz-date"] = params.get("x-amz-date") ?? "";
  const sessionToken = params.get("x-amz-security-token");
  if (sessionToken) headers["x-amz-security-token"] = sessionToken;
  const res = await fetch(target, { headers, redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new TokenRejectedError(`STS answered ${res.status}: ${text.slice(0, 300)}`);
  const result = (
    JSON.parse(text) as {
      GetCallerIdentityResponse?: {
        GetCallerIdentityResult?: { Arn?: string; Account?: string; UserId?: string };
      };
    }
  ).GetCallerIdentityResponse?.GetCallerIdentityResult;
  if (!result?.Arn || !result.Account || !result.UserId) {
    throw new TokenRejectedError(`STS answered without an identity: ${text.slice(0, 300)}`);
  }
  const [userId, sessionName] = result.UserId.split(":");
  return {
    arn: result.Arn,
    canonicalArn: canonicalizeArn(result.Arn),
    accountId: result.Account,
    userId: userId ?? result.UserId,
    ...(sessionName ? { sessionName } : {}),
    accessKeyId: (params.get("x-amz-credential") ?? "").split("/")[0] ?? "",
  };
}

/** One access entry as stored in its ConfigMap. */
export interface AccessEntry {
  readonly principalArn: string;
  readonly username?: string;
  readonly groups?: readonly string[];
}

/** Maps an identity through the access entries; throws when none names it. */
export function mapIdentity(identity: AwsIdentity, entries: readonly AccessEntry[]): MappedUser {
  const entry = entries.find((e) => e.principalArn === identity.canonicalArn);
  if (!entry) throw new TokenRejectedError(`no access entry for ${identity.canonicalArn}`);
  const template =
    entry.username ??
    (identity.arn.includes(":assumed-role/")
      ? identity.arn.replace(/\/[^/]+$/, "/{{SessionName}}")
      : identity.canonicalArn);
  const username = template
    .replaceAll("{{SessionName}}", identity.sessionName ?? "")
    .replaceAll("{{AccountID}}", identity.accountId);
  return {
    username,
    uid: `aws-iam-authenticator:${identity.accountId}:${identity.userId}`,
    groups: entry.groups ?? [],
    extra: {
      arn: [identity.arn],
      canonicalArn: [identity.canonicalArn],
      accessKeyId: [identity.accessKeyId],
      ...(identity.sessionName ? { sessionName: [identity.sessionName] } : {}),
    },
  };
}

/** Label that marks a ConfigMap as an access entry. */
export const ACCESS_ENTRY_LABEL = "gannet.io/access-entry";

async function readAccessEntries(kube: EksAuthWebhookOptions["kube"]): Promise<AccessEntry[]> {
  const path = `/api/v1/namespaces/kube-system/configmaps?labelSelector=${encodeURIComponent(`${ACCESS_ENTRY_LABEL}=true`)}`;
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, kube.server),
      { ca: kube.ca, headers: { authorization: `Bearer ${kube.token}` }, timeout: 10_000 },
      (res) => {
        let data = "";
        res.on("data", (c: Buffer) => {
          data += c.toString();
        });
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(data)
            : reject(new Error(`listing access entries: ${res.statusCode} ${data}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
  const list = JSON.parse(body) as { items: { data?: Record<string, string> }[] };
  return list.items.flatMap((cm) => {
    const d = cm.data ?? {};
    if (!d.principalArn) return [];
    const groups = (d.groups ?? "")
      .split(",")
      .map((g) => g.trim())
      .filter((g) => g !== "");
    return [{ principalArn: d.principalArn, ...(d.username ? { username: d.username } : {}), groups }];
  });
}

/** Answers one TokenReview: authenticated with the mapped user, or not with the reason. */
export async function reviewToken(
  token: string,
  opts: EksAuthWebhookOptions,
): Promise<Record<string, unknown>> {
  try {
    const parsed = parseEksToken(token, opts.now?.() ?? new Date());
    const identity = await redeemToken(parsed, opts);
    const user = mapIdentity(identity, await readAccessEntries(opts.kube));
    return { authenticated: true, user };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { authenticated: false, error: message };
  }
}

/** The webhook's HTTP server: POST /authenticate (TokenReview), GET /healthz (its settings, for reuse checks). */
export function createEksAuthWebhook(opts: EksAuthWebhookOptions): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    // The API server adds `?timeout=…` to the configured URL.
    const path = new URL(req.url ?? "/", "http://webhook").pathname;
    if (req.method === "GET" && path === "/healthz") {
      reply(200, {
        ok: true,
        clusterName: opts.clusterName,
        stsEndpoint: opts.stsEndpoint,
        server: opts.kube.server,
      });
      return;
    }
    if (req.method !== "POST" || path !== "/authenticate") {
      reply(404, { error: "POST /authenticate or GET /healthz" });
      return;
    }
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      void (async () => {
        let review: { apiVersion?: string; spec?: { token?: string } };
        try {
          review = JSON.parse(body) as typeof review;
        } catch {
          reply(400, { error: "the body is not JSON" });
          return;
        }
        const status = await reviewToken(review.spec?.token ?? "", opts);
        const user = status.user as MappedUser | undefined;
        console.log(
          JSON.stringify({
            time: new Date().toISOString(),
            authenticated: status.authenticated,
            ...(user ? { username: user.username, groups: user.groups } : { error: status.error }),
          }),
        );
        reply(200, {
          apiVersion: review.apiVersion ?? "authentication.k8s.io/v1",
          kind: "TokenReview",
          status,
        });
      })();
    });
  });
}
