// Config: validated settings from flags and environment. Bad values fail at the edge with a message
// naming the setting, the value received and the fix.

import { z } from "zod";

/** Settings every front door shares. */
export interface Settings {
  readonly cluster: string;
  readonly region: string;
  readonly awsEndpoint?: string;
  readonly kubeconfig?: string;
  readonly vpcId?: string;
  /** Only Ingresses of this namespace (like AWS LBC's --watch-namespace); all namespaces when absent. */
  readonly namespace?: string;
  readonly concurrency: number;
  /** The ExternalDNS owner id written into TXT ownership records; defaults to the cluster name. */
  readonly ownerId: string;
  readonly txtPrefix?: string;
  readonly txtSuffix?: string;
  /** ExternalDNS policy: sync (default), upsert-only or create-only. */
  readonly dnsPolicy: "sync" | "upsert-only" | "create-only";
  /** Only hosted zones under these domains (ExternalDNS --domain-filter). */
  readonly domainFilters: readonly string[];
  /** Only these hosted zone ids (ExternalDNS --zone-id-filter). */
  readonly zoneIdFilters: readonly string[];
}

/** Raised for a setting that cannot be used; the message says which and how to fix it. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

const schema = z.object({
  cluster: z
    .string({ error: "is required: pass --cluster <name> or set GANNET_CLUSTER_NAME" })
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/, {
      error: "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit",
    }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as us-east-1" }),
  awsEndpoint: z.url({ error: "must be a URL such as http://127.0.0.1:4566" }).optional(),
  kubeconfig: z.string().min(1).optional(),
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, { error: "must be a VPC id such as vpc-0abc1234" })
    .optional(),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "must be a namespace name (RFC 1123 label)" })
    .optional(),
  ownerId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, {
    error: "must be 1-100 letters, digits, '.', '_', '/' or '-' (it is written into TXT records)",
  }),
  txtPrefix: z
    .string()
    .regex(/^[a-z0-9%{}_.-]{1,60}$/, {
      error: "must be a DNS label fragment such as gannet- or %{record_type}-",
    })
    .optional(),
  txtSuffix: z
    .string()
    .regex(/^[a-z0-9%{}_.-]{1,60}$/, { error: "must be a DNS label fragment such as -gannet" })
    .optional(),
  dnsPolicy: z.enum(["sync", "upsert-only", "create-only"], {
    error: 'must be "sync", "upsert-only" or "create-only"',
  }),
  domainFilters: z.array(
    z.string().regex(/^[a-z0-9.-]+$/, { error: "must be DNS names such as example.com" }),
  ),
  zoneIdFilters: z.array(
    z.string().regex(/^[A-Z0-9]+$/, { error: "must be hosted zone ids such as Z123ABC" }),
  ),
  concurrency: z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(64, { error: "must be at most 64" }),
});

/** Raw inputs, before validation: flags win over environment variables. */
export interface RawSettings {
  readonly cluster?: string | undefined;
  readonly region?: string | undefined;
  readonly awsEndpoint?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly vpcId?: string | undefined;
  readonly namespace?: string | undefined;
  readonly ownerId?: string | undefined;
  readonly txtPrefix?: string | undefined;
  readonly txtSuffix?: string | undefined;
  readonly dnsPolicy?: string | undefined;
  readonly domainFilter?: string | undefined;
  readonly zoneIdFilter?: string | undefined;
  readonly concurrency?: string | number | undefined;
}

const SOURCES: Record<keyof RawSettings, string> = {
  cluster: "--cluster / GANNET_CLUSTER_NAME",
  region: "--region / AWS_REGION",
  awsEndpoint: "--aws-endpoint / AWS_ENDPOINT_URL",
  kubeconfig: "--kubeconfig / GANNET_KUBECONFIG",
  vpcId: "--vpc-id / GANNET_VPC_ID",
  namespace: "--namespace / GANNET_WATCH_NAMESPACE",
  ownerId: "--owner-id / GANNET_TXT_OWNER_ID",
  txtPrefix: "--txt-prefix / GANNET_TXT_PREFIX",
  txtSuffix: "--txt-suffix / GANNET_TXT_SUFFIX",
  dnsPolicy: "--dns-policy / GANNET_DNS_POLICY",
  domainFilter: "--domain-filter / GANNET_DOMAIN_FILTER",
  zoneIdFilter: "--zone-id-filter / GANNET_ZONE_ID_FILTER",
  concurrency: "--concurrency / GANNET_CONCURRENCY",
};

function drop<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as T;
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** Validates settings from flags, falling back to the environment. */
export function loadSettings(flags: RawSettings, env: NodeJS.ProcessEnv = process.env): Settings {
  const raw = drop({
    cluster: flags.cluster ?? env.GANNET_CLUSTER_NAME,
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    awsEndpoint: flags.awsEndpoint ?? env.AWS_ENDPOINT_URL,
    kubeconfig: flags.kubeconfig ?? env.GANNET_KUBECONFIG,
    vpcId: flags.vpcId ?? env.GANNET_VPC_ID,
    namespace: flags.namespace ?? env.GANNET_WATCH_NAMESPACE,
    concurrency: flags.concurrency ?? env.GANNET_CONCURRENCY ?? 4,
    ownerId: flags.ownerId ?? env.GANNET_TXT_OWNER_ID ?? flags.cluster ?? env.GANNET_CLUSTER_NAME,
    txtPrefix: flags.txtPrefix ?? env.GANNET_TXT_PREFIX,
    txtSuffix: flags.txtSuffix ?? env.GANNET_TXT_SUFFIX,
    dnsPolicy: flags.dnsPolicy ?? env.GANNET_DNS_POLICY ?? "sync",
    domainFilters: splitList(flags.domainFilter ?? env.GANNET_DOMAIN_FILTER).map((d) => d.toLowerCase()),
    zoneIdFilters: splitList(flags.zoneIdFilter ?? env.GANNET_ZONE_ID_FILTER),
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const field = String(i.path[0]);
      const source = SOURCES[field.replace(/Filters$/, "Filter") as keyof RawSettings] ?? field;
      const value = (raw as Record<string, unknown>)[field];
      return `${source}: ${i.message}; got ${JSON.stringify(Array.isArray(value) ? value.join(",") : value)}`;
    });
    throw new SettingsError(`invalid settings:\n  ${lines.join("\n  ")}`);
  }
  return drop(parsed.data) as Settings;
}
