// Config: settings of the in-cluster controller only (resync, leader election, metrics, logs), from
// flags and environment. Durations are written the Kubernetes way: `10m`, `15s`, `1h30m`, `500ms`.

import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { SettingsError } from "./settings.ts";

/** Settings of `gannet controller`. */
export interface ControllerSettings {
  /** Every group is reconciled again this often (cheap: the fingerprint fast path). */
  readonly resyncMs: number;
  /** Each group's AWS state is read in full this often, even when its fingerprint matches. */
  readonly verifyMs: number;
  /** `host:port` of /metrics, /healthz and /readyz; absent: no HTTP server. */
  readonly metricsAddress?: string;
  readonly leaderElection: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  /** How long a shutdown waits for running reconciles before it releases the Lease anyway. */
  readonly shutdownTimeoutMs: number;
}

/** Raw inputs, before validation: flags win over environment variables. */
export interface RawControllerSettings {
  readonly resyncPeriod?: string | undefined;
  readonly verifyPeriod?: string | undefined;
  readonly metricsBindAddress?: string | undefined;
  readonly leaderElect?: boolean | string | undefined;
  readonly leaseNamespace?: string | undefined;
  readonly leaseName?: string | undefined;
  readonly leaseDuration?: string | undefined;
  readonly renewDeadline?: string | undefined;
  readonly retryPeriod?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly shutdownTimeout?: string | undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `1h30m`, `10m`, `15s`, `500ms` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * (UNIT_MS[p[2] ?? ""] ?? 0), 0));
}

const duration = (min: number, hint: string) =>
  z
    .string()
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: `must be a duration such as ${hint}` });
        return z.NEVER;
      }
      return ms;
    })
    .refine((ms) => ms >= min, { message: `must be at least ${min} ms` });

const schema = z
  .object({
    resyncMs: duration(1000, "10m"),
    verifyMs: duration(1000, "30m"),
    metricsAddress: z
      .string()
      .regex(/^([^:]*):(\d{1,5})$/, { error: "must be host:port or :port, such as :8080 (0 turns it off)" })
      .optional(),
    leaderElection: z.boolean({ error: "must be true or false" }),
    leaseNamespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "must be a namespace name (RFC 1123 label)" }),
    leaseName: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, {
      error: "must be an object name such as gannet-leader",
    }),
    leaseDurationMs: duration(1000, "15s"),
    renewDeadlineMs: duration(500, "10s"),
    retryPeriodMs: duration(100, "2s"),
    logLevel: z.enum(["debug", "info", "warn", "error"], {
      error: 'must be "debug", "info", "warn" or "error"',
    }),
    shutdownTimeoutMs: duration(0, "25s"),
  })
  .refine((s) => s.renewDeadlineMs < s.leaseDurationMs, {
    path: ["renewDeadlineMs"],
    message: "must be shorter than the lease duration (the leader gives up before others may take over)",
  })
  .refine((s) => s.retryPeriodMs < s.renewDeadlineMs, {
    path: ["retryPeriodMs"],
    message: "must be shorter than the renew deadline",
  });

const SOURCES: Record<string, string> = {
  resyncMs: "--resync-period / GANNET_RESYNC_PERIOD",
  verifyMs: "--verify-period / GANNET_VERIFY_PERIOD",
  leaderElection: "--leader-elect / GANNET_LEADER_ELECT",
  metricsAddress: "--metrics-bind-address / GANNET_METRICS_BIND_ADDRESS",
  leaseNamespace: "--lease-namespace / GANNET_LEASE_NAMESPACE",
  leaseName: "--lease-name / GANNET_LEASE_NAME",
  leaseDurationMs: "--lease-duration / GANNET_LEASE_DURATION",
  renewDeadlineMs: "--renew-deadline / GANNET_RENEW_DEADLINE",
  retryPeriodMs: "--retry-period / GANNET_RETRY_PERIOD",
  logLevel: "--log-level / GANNET_LOG_LEVEL",
  shutdownTimeoutMs: "--shutdown-timeout / GANNET_SHUTDOWN_TIMEOUT",
};

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/** The namespace the pod runs in (its service account's), for the Lease; "default" outside a pod. */
function podNamespace(env: NodeJS.ProcessEnv): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  if (existsSync(SERVICE_ACCOUNT_NAMESPACE)) return readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim();
  return "default";
}

function flag(v: boolean | string | undefined): boolean | undefined {
  if (v === undefined || typeof v === "boolean") return v;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  return undefined;
}

/** Validates the controller's settings from flags, falling back to the environment. */
export function loadControllerSettings(
  flags: RawControllerSettings,
  env: NodeJS.ProcessEnv = process.env,
): ControllerSettings {
  const metrics = flags.metricsBindAddress ?? env.GANNET_METRICS_BIND_ADDRESS ?? ":8080";
  const elect = flags.leaderElect ?? env.GANNET_LEADER_ELECT;
  const raw = {
    resyncMs: flags.resyncPeriod ?? env.GANNET_RESYNC_PERIOD ?? "10m",
    verifyMs: flags.verifyPeriod ?? env.GANNET_VERIFY_PERIOD ?? "30m",
    ...(metrics === "0" ? {} : { metricsAddress: metrics }),
    // A word that is not a boolean stays a string, so validation names it.
    leaderElection: flag(elect) ?? elect ?? true,
    leaseNamespace: flags.leaseNamespace ?? env.GANNET_LEASE_NAMESPACE ?? podNamespace(env),
    leaseName: flags.leaseName ?? env.GANNET_LEASE_NAME ?? "gannet-leader",
    leaseDurationMs: flags.leaseDuration ?? env.GANNET_LEASE_DURATION ?? "15s",
    renewDeadlineMs: flags.renewDeadline ?? env.GANNET_RENEW_DEADLINE ?? "10s",
    retryPeriodMs: flags.retryPeriod ?? env.GANNET_RETRY_PERIOD ?? "2s",
    logLevel: flags.logLevel ?? env.GANNET_LOG_LEVEL ?? "info",
    shutdownTimeoutMs: flags.shutdownTimeout ?? env.GANNET_SHUTDOWN_TIMEOUT ?? "25s",
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const field = String(i.path[0]);
      const value = (raw as Record<string, unknown>)[field];
      return `${SOURCES[field] ?? field}: ${i.message}; got ${JSON.stringify(value)}`;
    });
    throw new SettingsError(`invalid controller settings:\n  ${lines.join("\n  ")}`);
  }
  return parsed.data as ControllerSettings;
}
