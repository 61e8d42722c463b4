// AWS adapter: the narrow Route53 port (hosted zones, record sets, change batches that survive a bad record).

import {
  type Change,
  ChangeResourceRecordSetsCommand,
  InvalidChangeBatch,
  InvalidInput,
  ListResourceRecordSetsCommand,
  paginateListHostedZones,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from "@aws-sdk/client-route-53";
import { groupChangeUnits, isChangeInEffect, splitIntoBatches } from "../plan/record-planner.ts";
import type { HostedZone, ObservedRecordSet, RecordChange } from "../types/dns.ts";

/** What a `changeRecordSets` call did: how many changes took effect, and those that did not, with why. */
export interface RecordChangeResult {
  readonly applied: number;
  readonly failed: readonly { readonly change: RecordChange; readonly error: string }[];
}

// Errors about the content of a batch (InvalidChangeBatch, InvalidInput): splitting it isolates the
// bad change. Anything else (throttling past the SDK's retries, access, a missing zone) would fail
// every half too, so it is thrown.

/** A name as records use it: Route53's `\ooo` escapes decoded (`\052` is `*`), lowercase, no trailing dot. */
export function normalizeRecordName(name: string): string {
  return name
    .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .toLowerCase()
    .replace(/\.$/, "");
}

function toObserved(r: ResourceRecordSet): ObservedRecordSet {
  const alias = r.AliasTarget;
  return {
    name: normalizeRecordName(r.Name ?? ""),
    type: r.Type ?? "",
    ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
    ...(r.ResourceRecords?.length ? { values: r.ResourceRecords.map((v) => v.Value ?? "") } : {}),
    ...(alias
      ? {
          alias: {
            dnsName: normalizeRecordName(alias.DNSName ?? ""),
            hostedZoneId: alias.HostedZoneId ?? "",
            evaluateTargetHealth: alias.EvaluateTargetHealth ?? false,
          },
        }
      : {}),
    ...(r.SetIdentifier !== undefined ? { setIdentifier: r.SetIdentifier } : {}),
  };
}

function toChange(c: RecordChange): Change {
  const r = c.record;
  return {
    Action: c.action,
    ResourceRecordSet: {
      Name: `${r.name}.`,
      Type: r.type as RRType,
      ...(r.ttl !== undefined ? { TTL: r.ttl } : {}),
      ...(r.values ? { ResourceRecords: r.values.map((Value) => ({ Value })) } : {}),
      ...(r.alias
        ? {
            AliasTarget: {
              DNSName: r.alias.dnsName,
              HostedZoneId: r.alias.hostedZoneId,
              EvaluateTargetHealth: r.alias.evaluateTargetHealth,
            },
          }
        : {}),
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The Route53 calls Gannet makes. */
export class Route53Port {
  private readonly client: Route53Client;

  constructor(client: Route53Client) {
    this.client = client;
  }

  /** Every hosted zone of the account. */
  async listHostedZones(): Promise<HostedZone[]> {
    const out: HostedZone[] = [];
    for await (const res of paginateListHostedZones({ client: this.client }, {})) {
      for (const z of res.HostedZones ?? []) {
        out.push({
          id: (z.Id ?? "").replace(/^\/hostedzone\//, ""),
          name: normalizeRecordName(z.Name ?? ""),
          private: z.Config?.PrivateZone ?? false,
        });
      }
    }
    return out;
  }

  /**
   * Every record set of a zone, names normalised (see `normalizeRecordName`). Paged by hand: the SDK
   * has no paginator for ListResourceRecordSets (its next page starts at a name, type and identifier).
   */
  async listRecordSets(zoneId: string): Promise<ObservedRecordSet[]> {
    const out: ObservedRecordSet[] = [];
    let next:
      | { StartRecordName: string; StartRecordType?: RRType; StartRecordIdentifier?: string }
      | undefined;
    do {
      const res = await this.client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...next }),
      );
      out.push(...(res.ResourceRecordSets ?? []).map(toObserved));
      next =
        res.IsTruncated && res.NextRecordName
          ? {
              StartRecordName: res.NextRecordName,
              ...(res.NextRecordType ? { StartRecordType: res.NextRecordType } : {}),
              ...(res.NextRecordIdentifier ? { StartRecordIdentifier: res.NextRecordIdentifier } : {}),
            }
          : undefined;
    } while (next);
    return out;
  }

  /**
   * Sends the changes in as few batches as the limits allow. A rejected batch is split in halves (a record
   * stays with its TXT) and retried, so one bad record cannot hold back the others; the changes that still
   * fail are reported, not thrown. Nothing to change means no call.
   */
  async changeRecordSets(
    zoneId: string,
    changes: readonly RecordChange[],
    comment: string,
  ): Promise<RecordChangeResult> {
    const result = { applied: 0, failed: [] as { change: RecordChange; error: string }[] };
    for (const batch of splitIntoBatches(changes)) await this.sendOrSplit(zoneId, batch, comment, result);
    return result;
  }

  /**
   * The emulator refuses to CREATE a record that was created and deleted before whenever any record sorts
   * after it in the zone ("already exists", from its change journal). When the zone, just re-read, holds
   * no record at any CREATE's name and type, the unit is sent once more with UPSERTs, which create it.
   * On AWS this never happens: a refused CREATE means the record is there.
   */
  private async retryPhantomCreate(
    zoneId: string,
    unit: readonly RecordChange[],
    observed: readonly ObservedRecordSet[],
    err: unknown,
    comment: string,
  ): Promise<boolean> {
    if (!/already exists/.test(errorText(err))) return false;
    const creates = unit.filter((c) => c.action === "CREATE");
    const absent = (c: RecordChange) =>
      !observed.some((o) => o.type === c.record.type && sameName(o.name, c.record.name));
    if (creates.length === 0 || !creates.every(absent)) return false;
    const upserts = unit.map((c) => (c.action === "CREATE" ? { ...c, action: "UPSERT" as const } : c));
    try {
      await this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: comment.slice(0, 256), Changes: upserts.map(toChange) },
        }),
      );
      return true;
    } catch {
      return false;
    }
  }

  private async sendOrSplit(
    zoneId: string,
    batch: readonly RecordChange[],
    comment: string,
    result: { applied: number; failed: { change: RecordChange; error: string }[] },
  ): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: comment.slice(0, 256), Changes: batch.map(toChange) },
        }),
      );
      result.applied += batch.length;
      return;
    } catch (err) {
      if (!(err instanceof InvalidChangeBatch || err instanceof InvalidInput)) throw err;
      // AWS applies a batch whole or not at all, but emulators keep the changes before the bad one:
      // re-read the zone so a retry neither repeats a CREATE nor reports a change that took effect.
      const observed = await this.listRecordSets(zoneId);
      const pending = batch.filter((c) => !isChangeInEffect(c, observed));
      result.applied += batch.length - pending.length;
      const units = groupChangeUnits(pending);
      if (units.length <= 1) {
        if (await this.retryPhantomCreate(zoneId, pending, observed, err, comment)) {
          result.applied += pending.length;
          return;
        }
        for (const change of pending) result.failed.push({ change, error: errorText(err) });
        return;
      }
      const half = Math.ceil(units.length / 2);
      await this.sendOrSplit(zoneId, units.slice(0, half).flat(), comment, result);
      await this.sendOrSplit(zoneId, units.slice(half).flat(), comment, result);
    }
  }
}

const sameName = (a: string, b: string) =>
  a.toLowerCase().replace(/\.$/, "") === b.toLowerCase().replace(/\.$/, "");
