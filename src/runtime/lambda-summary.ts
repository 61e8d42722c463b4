// Runtime: the result a Lambda invocation returns (and logs): what it was asked, whether it held the
// Lease, each group it reconciled, the changes and AWS calls it made, and what went wrong.

import type { CallStats, OperationStats } from "../aws/call-layer.ts";
import type { LambdaRequest } from "./lambda-event.ts";
import type { SessionResult } from "./lambda-session.ts";

/** One group's part of a summary (its passes added up). */
export interface GroupSummary {
  readonly group: string;
  /** AWS, certificate and DNS changes made. */
  readonly changes: number;
  readonly hostname?: string;
  /** Problems reported as Warning Events (bad input, missing zones). */
  readonly problems: number;
  /** Why the group waits (a certificate pending), when it does. */
  readonly pending?: string;
  readonly error?: string;
}

/** What an invocation returns. */
export interface LambdaSummary {
  /** reconciled: it held the Lease and ran; lease-held: someone else holds it, nothing done; rejected: bad event. */
  readonly result: "reconciled" | "lease-held" | "rejected" | "failed";
  readonly mode?: LambdaRequest["mode"];
  readonly message?: string;
  /** The Lease (namespace/name) and the holder identity this invocation used (absent before it tried). */
  readonly lease?: string;
  readonly holder?: string;
  /** The Kubernetes user the function's IAM identity was mapped to. */
  readonly kubeUser?: string;
  readonly passes: number;
  readonly groups: readonly GroupSummary[];
  readonly changes: number;
  readonly awsCalls: {
    readonly total: number;
    readonly mutating: number;
    readonly byOperation: Readonly<Record<string, number>>;
  };
  readonly errors: readonly string[];
  readonly durationMs: number;
}

/** What a summary is made from. */
export interface SummaryInput {
  readonly result: LambdaSummary["result"];
  readonly request?: LambdaRequest;
  readonly message?: string;
  readonly lease?: string;
  readonly holder?: string;
  readonly kubeUser?: string;
  readonly session?: SessionResult;
  readonly errors?: readonly string[];
  readonly stats: CallStats;
  readonly before: ReadonlyMap<string, OperationStats>;
  readonly started: number;
  readonly now?: number;
}

/** Adds up an invocation. A group that failed makes the result "failed", with its error listed. */
export function summarize(input: SummaryInput): LambdaSummary {
  const byGroup = new Map<string, GroupSummary>();
  for (const o of input.session?.outcomes ?? []) {
    const earlier = byGroup.get(o.group);
    const hostname = o.hostname ?? earlier?.hostname;
    const pending = o.disposition.action === "requeue" ? o.disposition.reason : undefined;
    byGroup.set(o.group, {
      group: o.group,
      changes: (earlier?.changes ?? 0) + o.applied.length + (o.other?.length ?? 0),
      ...(hostname ? { hostname } : {}),
      problems: (o.problems ?? o.desired.problems).length,
      ...(pending ? { pending } : {}),
      ...(o.error ? { error: o.error } : {}),
    });
  }
  const groups = [...byGroup.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  const errors = [
    ...(input.errors ?? []),
    ...groups.filter((g) => g.error).map((g) => `group ${g.group}: ${g.error}`),
  ];
  const totals = input.stats.totals(input.before);
  const byOperation = input.stats.since(input.before);
  const result = input.result === "reconciled" && errors.length > 0 ? "failed" : input.result;
  return {
    result,
    ...(input.request ? { mode: input.request.mode } : {}),
    ...(input.message ? { message: input.message } : {}),
    ...(input.lease ? { lease: input.lease } : {}),
    ...(input.holder ? { holder: input.holder } : {}),
    ...(input.kubeUser ? { kubeUser: input.kubeUser } : {}),
    passes: input.session?.passes ?? 0,
    groups,
    changes: groups.reduce((n, g) => n + g.changes, 0),
    awsCalls: { total: totals.calls, mutating: totals.mutating, byOperation },
    errors,
    durationMs: (input.now ?? Date.now()) - input.started,
  };
}
