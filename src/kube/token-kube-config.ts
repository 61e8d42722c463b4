// Kubernetes adapter: a client configuration for an API server reached with a bearer token that
// changes over time (the EKS IAM token), with no kubeconfig file and no token written anywhere.
// Every request asks the token source for the current token, so a refreshed token is used at once.

import { KubeConfig } from "@kubernetes/client-node";
import { statusCodeOf } from "./kube-port.ts";

/** Hands out the bearer token to send, and forgets it when the API server refuses it. */
export interface BearerTokenSource {
  token(): Promise<string>;
  invalidate(): void;
}

/** Where the API server is and how to trust it. */
export interface TokenKubeConfigInput {
  /** `https://…` (an EKS endpoint, or the testbed's API server). */
  readonly server: string;
  /** The CA bundle that signed the server's certificate, base64 PEM (EKS `certificateAuthority.data`). */
  readonly caData: string;
  readonly tokens: BearerTokenSource;
}

const AUTH_PROVIDER = "gannet-bearer-token";

/** A KubeConfig whose every request (API calls and watches) carries the token source's current token. */
export function buildTokenKubeConfig(input: TokenKubeConfigInput): KubeConfig {
  const kc = new KubeConfig();
  kc.addAuthenticator({
    isAuthProvider: (user) => (user.authProvider as { name?: string } | undefined)?.name === AUTH_PROVIDER,
    applyAuthentication: async (_user, opts) => {
      const token = await input.tokens.token();
      opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
    },
  });
  kc.loadFromOptions({
    clusters: [{ name: "cluster", server: input.server, caData: input.caData, skipTLSVerify: false }],
    users: [{ name: "gannet", authProvider: { name: AUTH_PROVIDER, config: {} } }],
    contexts: [{ name: "gannet@cluster", cluster: "cluster", user: "gannet" }],
    currentContext: "gannet@cluster",
  });
  return kc;
}

/**
 * Runs `fn`; when the API server answers 401 (the token expired early, or the authenticator's cache
 * dropped it), forgets the token and runs `fn` once more with a freshly signed one.
 */
export async function retryOnUnauthorized<T>(
  tokens: BearerTokenSource,
  fn: () => Promise<T>,
  onRetry: () => void = () => {},
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (statusCodeOf(err) !== 401) throw err;
    onRetry();
    tokens.invalidate();
    return fn();
  }
}
