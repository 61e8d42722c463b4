// Config: the Lambda runtime's settings, from the function's environment. The settings every front
// door shares come from loadSettings; these say how to reach the EKS cluster and how long to stay.

import { z } from "zod";
import { loadSettings, type Settings, SettingsError } from "./settings.ts";

/** How the Lambda handler reaches its cluster and spends its time. */
export interface LambdaSettings {
  /** The EKS cluster name: signed into the token (`x-k8s-aws-id`) and asked of DescribeCluster. */
  readonly eksCluster: string;
  /** The API server, when configured; otherwise DescribeCluster finds it. */
  readonly endpoint?: { readonly server: string; readonly caData: string };
  /** The Lease that keeps invocations (and an in-cluster controller) from overlapping. */
  readonly lease: { readonly namespace: string; readonly name: string };
  /** How long to watch for changes after the first pass. */
  readonly watchSeconds: number;
  /** Time kept free before the function's timeout to finish a pass and give the Lease back. */
  readonly marginSeconds: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const schema = z.object({
  eksCluster: z
    .string({ error: "is required: set GANNET_EKS_CLUSTER (or GANNET_CLUSTER_NAME) to the EKS cluster name" })
    .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, {
      error: "must be an EKS cluster name (letters, digits, - and _)",
    }),
  server: z
    .url({ protocol: /^https$/, error: "must be the cluster's https:// API server endpoint" })
    .optional(),
  caData: z
    .string()
    .regex(/^[A-Za-z0-9+/=\s]+$/, { error: "must be the base64 CA bundle (EKS certificateAuthority.data)" })
    .optional(),
  leaseNamespace: z.string().regex(DNS_LABEL, { error: "must be a namespace name" }),
  leaseName: z.string().regex(DNS_SUBDOMAIN, { error: "must be a Lease name (DNS subdomain)" }),
  watchSeconds: z.coerce
    .number({ error: "must be a number of seconds" })
    .int({ error: "must be a whole number of seconds" })
    .min(0, { error: "must be at least 0" })
    .max(840, { error: "must be at most 840 (a Lambda runs 15 minutes at most)" }),
  marginSeconds: z.coerce
    .number({ error: "must be a number of seconds" })
    .int({ error: "must be a whole number of seconds" })
    .min(1, { error: "must be at least 1" })
    .max(300, { error: "must be at most 300" }),
});

const SOURCES: Record<string, string> = {
  eksCluster: "GANNET_EKS_CLUSTER",
  server: "GANNET_EKS_ENDPOINT",
  caData: "GANNET_EKS_CA_DATA",
  leaseNamespace: "GANNET_LEASE_NAMESPACE",
  leaseName: "GANNET_LEASE_NAME",
  watchSeconds: "GANNET_WATCH_SECONDS",
  marginSeconds: "GANNET_LAMBDA_MARGIN_SECONDS",
};

/** Defaults: the in-cluster controller's Lease gannet-system/gannet-leader (so the two never overlap), a 20 s watch window, 20 s kept before the timeout. */
export const LAMBDA_DEFAULTS = {
  leaseNamespace: "gannet-system",
  leaseName: "gannet-leader",
  watch: 20,
  margin: 20,
};

/** Validates the Lambda's environment; a bad value throws a SettingsError naming the variable and the fix. */
export function loadLambdaSettings(env: NodeJS.ProcessEnv = process.env): {
  settings: Settings;
  lambda: LambdaSettings;
} {
  // The Lambda never reads a kubeconfig: it reaches the cluster with its own IAM token.
  const settings = loadSettings({}, { ...env, GANNET_KUBECONFIG: undefined });
  const raw = Object.fromEntries(
    Object.entries({
      eksCluster: env.GANNET_EKS_CLUSTER || env.GANNET_CLUSTER_NAME,
      server: env.GANNET_EKS_ENDPOINT,
      caData: env.GANNET_EKS_CA_DATA,
      leaseNamespace: env.GANNET_LEASE_NAMESPACE || LAMBDA_DEFAULTS.leaseNamespace,
      leaseName: env.GANNET_LEASE_NAME || LAMBDA_DEFAULTS.leaseName,
      watchSeconds: env.GANNET_WATCH_SECONDS || LAMBDA_DEFAULTS.watch,
      marginSeconds: env.GANNET_LAMBDA_MARGIN_SECONDS || LAMBDA_DEFAULTS.margin,
    }).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const field = String(i.path[0]);
      return `${SOURCES[field] ?? field}: ${i.message}; got ${JSON.stringify(raw[field])}`;
    });
    throw new SettingsError(`invalid settings:\n  ${lines.join("\n  ")}`);
  }
  const p = parsed.data;
  if ((p.server === undefined) !== (p.caData === undefined)) {
    throw new SettingsError(
      "invalid settings:\n  GANNET_EKS_ENDPOINT and GANNET_EKS_CA_DATA: set both, or neither (then eks:DescribeCluster finds them)",
    );
  }
  return {
    settings,
    lambda: {
      eksCluster: p.eksCluster,
      ...(p.server && p.caData
        ? { endpoint: { server: p.server, caData: p.caData.replace(/\s/g, "") } }
        : {}),
      lease: { namespace: p.leaseNamespace, name: p.leaseName },
      watchSeconds: p.watchSeconds,
      marginSeconds: p.marginSeconds,
    },
  };
}
