// Report stage: Ingress status and Events after a group's reconcile.
// Status is patched only when the address changes; an Event repeats only when its text changes.

import type { Problem } from "../model/desired.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { objectKey } from "../model/problems.ts";
import { type Change, isDeletion } from "../plan/changes.ts";

/** The Kubernetes writes reporting needs (the kube adapter implements them). */
export interface ReportSink {
  patchIngressStatus(ingress: Ingress, hostname: string | undefined): Promise<void>;
  createEvent(input: {
    ingress: Ingress;
    type: "Normal" | "Warning";
    reason: string;
    message: string;
    instance: string;
  }): Promise<void>;
}

/** Event reasons, in the words operators search for. */
export const REASON = {
  reconciled: "SuccessfullyReconciled",
  invalid: "InvalidIngress",
  failedDeploy: "FailedDeployModel",
  deleted: "CleanedUp",
  pending: "CertificatePending",
  recreated: "Recreated",
} as const;

/** Suppresses an Event whose (object, reason, message) was already sent by this process recently. */
export class EventDeduper {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;

  constructor(ttlMs = 10 * 60_000) {
    this.ttlMs = ttlMs;
  }

  /** True when the Event should be sent now. */
  shouldSend(key: string, now = Date.now()): boolean {
    const last = this.seen.get(key);
    if (last !== undefined && now - last < this.ttlMs) return false;
    this.seen.set(key, now);
    return true;
  }

  /** Forgets an object's Events, so its next problem is reported again at once. */
  forget(prefix: string): void {
    for (const k of this.seen.keys()) if (k.startsWith(prefix)) this.seen.delete(k);
  }
}

/** One line saying what a reconcile changed, e.g. "created 1 ALB, 3 rules; registered 4 targets". */
export function summarizeChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return "no change needed";
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${kind} ×${n}`);
  const deletions = changes.filter(isDeletion).length;
  return `${changes.length} AWS change(s): ${parts.join(", ")}${deletions ? ` (${deletions} removal(s))` : ""}`;
}

/** Formats a Problem as the Warning Event text: field, value received, and the fix. */
export function formatProblem(p: Problem): string {
  const quoted = JSON.stringify(p.value);
  // Values are cut at 200 characters, but escaped control characters can make that six times longer.
  const value = ` (value: ${quoted.length > 300 ? `${quoted.slice(0, 300)}…` : quoted})`;
  // Events keep 1,024 characters: a long message loses its middle, never the field, the fix or the value.
  const half = Math.floor(Math.max(200, MAX_EVENT_MESSAGE - p.field.length - value.length - 2) / 2) - 1;
  const message =
    p.message.length <= 2 * half + 1 ? p.message : `${p.message.slice(0, half)}…${p.message.slice(-half)}`;
  return wellFormed(`${p.field}: ${message}${value}`);
}

// A lone UTF-16 surrogate (half an emoji, from a cut value or a JSON.parse message) would reach the API
// server as U+FFFD anyway: replace it here, so the Event says exactly what Gannet meant.
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** Longest Event message Gannet writes (the Kubernetes port cuts there too). */
export const MAX_EVENT_MESSAGE = 1024;

/** What a group's report needs. */
export interface GroupReport {
  readonly live: readonly Ingress[];
  /** Ingresses refused by the group's join policy: they get their Warnings, no status and no other Event. */
  readonly refused?: readonly Ingress[];
  readonly hostname: string | undefined;
  readonly applied: readonly Change[];
  /** Certificate and DNS changes, one line each. */
  readonly other?: readonly string[];
  readonly problems: readonly Problem[];
  /** Why HTTPS is not served yet (a certificate waiting for validation). */
  readonly pending?: string;
  readonly failure?: string;
  readonly instance: string;
  /**
   * Addresses no ALB has any more (the ALB in an Ingress's status was deleted outside Gannet, or AWS
   * lost it): an Ingress whose status names one, and that has an ALB again, is told it was recreated.
   */
  readonly lostAddresses?: ReadonlySet<string>;
}

/** Patches status where the address changed and records the Events of one reconcile. */
export async function reportGroup(sink: ReportSink, dedupe: EventDeduper, r: GroupReport): Promise<void> {
  const send = async (ingress: Ingress, type: "Normal" | "Warning", reason: string, message: string) => {
    // Warnings repeat every reconcile until fixed; Normal Events happen only when something changed.
    const key = `${ingress.metadata.uid ?? objectKey(ingress)}|${reason}|${message}`;
    if (type === "Warning" && !dedupe.shouldSend(key)) return;
    await sink.createEvent({ ingress, type, reason, message, instance: r.instance });
  };
  for (const ingress of r.refused ?? []) {
    const key = objectKey(ingress);
    for (const p of r.problems.filter((p) => p.ingress === key))
      await send(ingress, "Warning", REASON.invalid, formatProblem(p));
  }
  for (const ingress of r.live) {
    const current = ingress.status?.loadBalancer?.ingress?.[0]?.hostname;
    const currentCount = ingress.status?.loadBalancer?.ingress?.length ?? 0;
    if (r.hostname !== undefined && (current !== r.hostname || currentCount !== 1)) {
      await sink.patchIngressStatus(ingress, r.hostname);
    }
    // On AWS the new ALB gets a new address; an emulator may give it the old one again.
    if (current && r.hostname && r.lostAddresses?.has(current)) {
      await send(
        ingress,
        "Warning",
        REASON.recreated,
        `the ALB at ${current} no longer exists (deleted outside Gannet, or AWS lost it): Gannet recreated the group's ALB and what it needs (${summarizeChanges(r.applied)}); the address is now ${r.hostname}, and the DNS records Gannet manages follow it: update any record or client that names the old address`,
      );
    }
    const key = objectKey(ingress);
    for (const p of r.problems.filter((p) => p.ingress === key))
      await send(ingress, "Warning", REASON.invalid, formatProblem(p));
    if (r.failure) await send(ingress, "Warning", REASON.failedDeploy, r.failure);
    else if (r.applied.length > 0 || (r.other?.length ?? 0) > 0) {
      const other = r.other?.length
        ? `; ${r.other.length} certificate/DNS change(s): ${r.other.slice(0, 5).join(", ")}`
        : "";
      await send(
        ingress,
        "Normal",
        REASON.reconciled,
        `${summarizeChanges(r.applied)}${other}; address ${r.hostname ?? "pending"}`,
      );
    }
    // Said once per text and process, like a Warning: it repeats every requeue until issued.
    if (r.pending && dedupe.shouldSend(`${ingress.metadata.uid ?? key}|pending|${r.pending}`)) {
      await sink.createEvent({
        ingress,
        type: "Normal",
        reason: REASON.pending,
        message: r.pending,
        instance: r.instance,
      });
    }
  }
}
