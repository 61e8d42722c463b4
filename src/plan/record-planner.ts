// Plan stage: Route53 records of one hosted zone, desired against observed, with the ownership registry.
//
// DNS ownership is written down here, once. Gannet uses ExternalDNS's TXT registry (new format), so the
// two hand records over in both directions:
//   - A record of type T at name N is owned through a TXT record at `<prefix><t>-<first label><suffix>.<rest>`
//     where t is T in lowercase: `a-app.example.com`, `aaaa-app.example.com`; prefix `txt-` gives
//     `txt-a-app.example.com`, suffix `-own` gives `a-app-own.example.com`. When the prefix or suffix
//     contains `%{record_type}`, that is replaced by t and no `<t>-` is added (`%{record_type}-` → `a-app...`).
//   - A wildcard keeps its `*` (`a-*.example.com`, which Route53 stores as a literal `\052`) unless a
//     wildcard replacement is configured, which then stands in for the `*` (`a-any.example.com`).
//   - The TXT value is `"heritage=external-dns,external-dns/owner=<owner id>,external-dns/resource=<resource>"`.
//   - A records owned by older ExternalDNS versions are recognised for A records: the `cname-` TXT name and
//     the old format without a type (`<prefix><name>`); adopting such a record adds the new-format TXT.
// A record is ours only when its TXT names our owner id. Records without a TXT, or whose TXT names another
// owner, are never changed or deleted; a name they hold is reported as a conflict. A record is deleted only
// when its TXT names a resource this group answers for.

import type { DesiredRecord } from "../model/dns/dns-records.ts";
import { compareStrings } from "../model/problems.ts";
import type { AliasTarget, ObservedRecordSet, RecordChange, RecordSet } from "../types/dns.ts";

/** How ownership is recorded and what the planner may do (ExternalDNS's `--txt-*` and `--policy`). */
export interface RegistrySettings {
  readonly ownerId: string;
  readonly txtPrefix?: string;
  readonly txtSuffix?: string;
  /** Stands in for a leading `*` in TXT names (ExternalDNS's `--txt-wildcard-replacement`). */
  readonly txtWildcardReplacement?: string;
  readonly policy: "sync" | "upsert-only" | "create-only";
}

/** The naming part of the settings. */
export type TxtNaming = Pick<RegistrySettings, "txtPrefix" | "txtSuffix" | "txtWildcardReplacement">;

/** A desired record that was not published because someone else holds its name. */
export interface RecordConflict {
  readonly name: string;
  readonly type: string;
  readonly resource: string;
  readonly reason: string;
}

/** The labels of an ExternalDNS TXT value. */
export interface OwnershipLabels {
  readonly owner?: string;
  readonly resource?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** TTL of the TXT records when none is given (ExternalDNS's default). */
export const DEFAULT_TXT_TTL = 300;

const TEMPLATE = "%{record_type}";
const ADDRESS_TYPES = ["A", "AAAA", "CNAME"];
const KNOWN_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "PTR", "NAPTR", "DNAME"];

function affixes(naming: TxtNaming, type: string) {
  const t = type.toLowerCase();
  const prefix = (naming.txtPrefix ?? "").toLowerCase();
  const suffix = (naming.txtSuffix ?? "").toLowerCase();
  return {
    prefix: prefix.replaceAll(TEMPLATE, t),
    suffix: suffix.replaceAll(TEMPLATE, t),
    typeLabel: prefix.includes(TEMPLATE) || suffix.includes(TEMPLATE) ? "" : `${t}-`,
  };
}

function splitFirstLabel(name: string): [string, string | undefined] {
  const dot = name.indexOf(".");
  return dot < 0 ? [name, undefined] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** The name of the TXT record that owns the record `type` at `name`. */
export function buildTxtName(name: string, type: string, naming: TxtNaming): string {
  const { prefix, suffix, typeLabel } = affixes(naming, type);
  const [first, rest] = splitFirstLabel(name);
  const replacement = naming.txtWildcardReplacement?.toLowerCase();
  const label = first === "*" && replacement ? replacement : first;
  return `${prefix}${typeLabel}${label}${suffix}${rest === undefined ? "" : `.${rest}`}`;
}

function legacyTxtNames(name: string, type: string, naming: TxtNaming): string[] {
  if (type !== "A") return [];
  // Older ExternalDNS wrote `cname-` for A aliases (#2903) and, before 0.12, TXT names without a type.
  const prefix = (naming.txtPrefix ?? "").replaceAll(TEMPLATE, "").toLowerCase();
  const suffix = (naming.txtSuffix ?? "").replaceAll(TEMPLATE, "").toLowerCase();
  const [first, rest] = splitFirstLabel(name);
  return [
    buildTxtName(name, "CNAME", naming),
    `${prefix}${first}${suffix}${rest === undefined ? "" : `.${rest}`}`,
  ];
}

function stripAffixes(txtName: string, naming: TxtNaming, type: string): string | undefined {
  const { prefix, suffix, typeLabel } = affixes(naming, type);
  const head = prefix + typeLabel;
  if (!txtName.startsWith(head)) return undefined;
  const rest = txtName.slice(head.length);
  let end = rest.indexOf(".");
  if (suffix !== "") {
    end = -1;
    for (let i = rest.indexOf(suffix); i >= 0; i = rest.indexOf(suffix, i + 1)) {
      const after = i + suffix.length;
      if (!rest.slice(0, i).includes(".") && (after === rest.length || rest[after] === ".")) {
        end = i;
        break;
      }
    }
    if (end < 0) return undefined;
  }
  const first = end < 0 ? rest : rest.slice(0, end);
  if (first === "") return undefined;
  const remainder = end < 0 ? "" : rest.slice(end + suffix.length);
  const replacement = naming.txtWildcardReplacement?.toLowerCase();
  return `${replacement && first === replacement ? "*" : first}${remainder}`;
}

/** The record a new-format TXT name owns, or undefined when the name is not one. */
export function parseTxtName(txtName: string, naming: TxtNaming): { name: string; type: string } | undefined {
  for (const type of KNOWN_TYPES) {
    const name = stripAffixes(txtName, naming, type);
    if (name !== undefined && buildTxtName(name, type, naming) === txtName) return { name, type };
  }
  return undefined;
}

/** The quoted TXT value that records `ownerId` and `resource`. */
export function buildTxtValue(ownerId: string, resource: string): string {
  return `"heritage=external-dns,external-dns/owner=${ownerId},external-dns/resource=${resource}"`;
}

/** The labels of an ExternalDNS TXT value, or undefined when it is not one (no `heritage=external-dns`). */
export function parseTxtValue(value: string | readonly string[] | undefined): OwnershipLabels | undefined {
  const first = typeof value === "string" ? value : value?.[0];
  if (first === undefined) return undefined;
  // Route53 returns long values as several quoted strings; join them before reading the labels.
  const text = first.trim().replace(/"\s+"/g, "").replace(/^"|"$/g, "").replace(/\\"/g, '"');
  const labels: Record<string, string> = {};
  let heritage = false;
  for (const token of text.split(",")) {
    const eq = token.indexOf("=");
    if (eq < 0) continue;
    const key = token.slice(0, eq).trim();
    const val = token.slice(eq + 1).trim();
    if (key === "heritage") {
      if (val !== "external-dns") return undefined;
      heritage = true;
    } else if (key.startsWith("external-dns/")) {
      labels[key.slice("external-dns/".length)] = val;
    }
  }
  if (!heritage) return undefined;
  return {
    ...(labels.owner !== undefined ? { owner: labels.owner } : {}),
    ...(labels.resource !== undefined ? { resource: labels.resource } : {}),
    labels,
  };
}

function normalizeAliasName(dnsName: string): string {
  return dnsName
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "");
}

/** True when two alias targets point at the same place (`dualstack.` and a trailing dot aside). */
export function sameAlias(a: AliasTarget | undefined, b: AliasTarget | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    normalizeAliasName(a.dnsName) === normalizeAliasName(b.dnsName) &&
    a.hostedZoneId.toUpperCase() === b.hostedZoneId.toUpperCase() &&
    a.evaluateTargetHealth === b.evaluateTargetHealth
  );
}

function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = [...(a ?? [])].sort(compareStrings);
  const y = [...(b ?? [])].sort(compareStrings);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** True when the zone already shows the effect of `change` (a retry after a partly applied batch). */
export function isChangeInEffect(change: RecordChange, observed: readonly ObservedRecordSet[]): boolean {
  const r = change.record;
  const present = observed.filter(
    (o) => o.name === r.name && o.type === r.type && o.setIdentifier === undefined,
  );
  if (change.action === "DELETE") return present.length === 0;
  return present.some(
    (o) =>
      sameAlias(o.alias, r.alias) &&
      sameValues(o.values, r.values) &&
      (r.ttl === undefined || o.ttl === undefined || r.ttl === o.ttl),
  );
}

/** Input of `planRecords`, for one hosted zone. */
export interface PlanRecordsInput {
  readonly zoneId: string;
  /** The group's desired records in this zone. */
  readonly desired: readonly DesiredRecord[];
  /** The zone's record sets (or all of those at the names involved). */
  readonly observed: readonly ObservedRecordSet[];
  /** The `resource` values this group answers for: its live and leaving Ingresses. */
  readonly scope: ReadonlySet<string>;
  readonly settings: RegistrySettings;
  /** TTL of the TXT records written; DEFAULT_TXT_TTL when absent. */
  readonly ttl?: number;
}

/** The changes for one zone, and the desired records left out because another owner holds the name. */
export interface RecordPlan {
  readonly changes: RecordChange[];
  readonly conflicts: RecordConflict[];
}

interface Ownership {
  readonly txt: ObservedRecordSet;
  readonly labels: OwnershipLabels | undefined;
  readonly current: boolean; // found under the new-format name
}

const keyOf = (name: string, type: string) => `${name}|${type}`;

class ZoneIndex {
  readonly records = new Map<string, ObservedRecordSet>();
  readonly routed = new Map<string, string>();
  readonly settings: RegistrySettings;

  constructor(observed: readonly ObservedRecordSet[], settings: RegistrySettings) {
    this.settings = settings;
    for (const o of observed) {
      const key = keyOf(o.name, o.type);
      if (o.setIdentifier !== undefined) this.routed.set(key, o.setIdentifier);
      // The emulator appends duplicates on CREATE; the first one stands for the name.
      else if (!this.records.has(key)) this.records.set(key, o);
    }
  }

  /** Every ownership TXT found for a record, the new-format one first. */
  ownerships(name: string, type: string): Ownership[] {
    const out: Ownership[] = [];
    const current = this.records.get(keyOf(buildTxtName(name, type, this.settings), "TXT"));
    if (current) out.push({ txt: current, labels: parseTxtValue(current.values), current: true });
    for (const legacyName of legacyTxtNames(name, type, this.settings)) {
      const txt = this.records.get(keyOf(legacyName, "TXT"));
      const labels = parseTxtValue(txt?.values);
      if (txt && labels) out.push({ txt, labels, current: false });
    }
    return out;
  }

  isOurs(o: Ownership | undefined): boolean {
    return o?.labels?.owner === this.settings.ownerId;
  }
}

function isOwnershipTxt(r: ObservedRecordSet): boolean {
  return r.type === "TXT" && parseTxtValue(r.values) !== undefined;
}

function txtRecord(name: string, value: string, ttl: number): RecordSet {
  return { name, type: "TXT", ttl, values: [value] };
}

function exact(o: ObservedRecordSet): RecordSet {
  return {
    name: o.name,
    type: o.type,
    ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
    ...(o.values !== undefined ? { values: o.values } : {}),
    ...(o.alias !== undefined ? { alias: o.alias } : {}),
  };
}

function describeOwner(o: Ownership): string {
  if (o.labels === undefined)
    return `the TXT record ${o.txt.name} exists and was not written by ExternalDNS or Gannet: delete it to let Gannet publish the name`;
  return `the name is owned by owner id ${JSON.stringify(o.labels.owner ?? "")} (TXT record ${o.txt.name})`;
}

// Why the desired record may not be written, or undefined when the name is free or ours.
function findConflict(d: DesiredRecord, index: ZoneIndex, scope: ReadonlySet<string>): string | undefined {
  const { ownerId } = index.settings;
  const key = keyOf(d.name, d.type);
  const txtName = buildTxtName(d.name, d.type, index.settings);
  const routed = index.routed.get(key);
  if (routed !== undefined)
    return `a ${d.type} record set with routing policy (set identifier ${JSON.stringify(routed)}) exists at the name`;
  const own = index.ownerships(d.name, d.type)[0];
  const existing = index.records.get(key);
  if (own && !index.isOurs(own)) return describeOwner(own);
  if (!own && existing) {
    return (
      `a ${d.type} record exists at the name without an ownership TXT record: delete it, or create the TXT ` +
      `record ${txtName} with ${buildTxtValue(ownerId, d.resource)} to hand it to Gannet`
    );
  }
  const heldBy = own?.labels?.resource;
  if (heldBy !== undefined && heldBy !== d.resource && !scope.has(heldBy))
    return `the name is published for ${heldBy} under the same owner id, outside this group`;
  if (existing) return undefined;
  // Gannet creates at a name only when every address record there is its own (as ExternalDNS does).
  for (const type of ADDRESS_TYPES) {
    if (type === d.type || !index.records.has(keyOf(d.name, type))) continue;
    if (!index.isOurs(index.ownerships(d.name, type)[0]))
      return `a ${type} record at the name is not owned by owner id ${JSON.stringify(ownerId)}`;
  }
  return undefined;
}

// The changes for a desired record whose name is free or ours: its TXT first, then the record.
function planDesired(d: DesiredRecord, index: ZoneIndex, input: PlanRecordsInput): RecordChange[] {
  const { settings } = input;
  const unit = keyOf(d.name, d.type);
  const txtName = buildTxtName(d.name, d.type, settings);
  const own = index.ownerships(d.name, d.type)[0];
  const existing = index.records.get(unit);
  const ttl = input.ttl ?? DEFAULT_TXT_TTL;
  const value = buildTxtValue(settings.ownerId, d.resource);
  const changes: RecordChange[] = [];
  if (!own?.current) changes.push({ action: "CREATE", record: txtRecord(txtName, value, ttl), unit });
  else if (own.labels?.resource !== d.resource && settings.policy !== "create-only")
    changes.push({ action: "UPSERT", record: txtRecord(txtName, value, own.txt.ttl ?? ttl), unit });
  const record: RecordSet = { name: d.name, type: d.type, alias: d.alias };
  if (!existing) changes.push({ action: "CREATE", record, unit });
  else if (settings.policy !== "create-only" && !(sameAlias(existing.alias, d.alias) && !existing.values))
    changes.push({ action: "UPSERT", record, unit });
  return changes;
}

function planDeletions(
  index: ZoneIndex,
  input: PlanRecordsInput,
  desiredKeys: Set<string>,
): RecordChange[][] {
  const { settings, scope } = input;
  const protectedTxt = new Set(
    input.desired.filter((d) => d.zoneId === input.zoneId).map((d) => buildTxtName(d.name, d.type, settings)),
  );
  const deletedTxt = new Set<string>();
  const units: RecordChange[][] = [];
  const ownedInScope = (o: Ownership) =>
    index.isOurs(o) && o.labels?.resource !== undefined && scope.has(o.labels.resource);
  const managed = [...index.records].filter(([, r]) => !isOwnershipTxt(r));
  for (const [key, record] of managed) {
    if (desiredKeys.has(key)) continue;
    const owners = index.ownerships(record.name, record.type).filter(ownedInScope);
    if (owners.length === 0) continue;
    const unit: RecordChange[] = [{ action: "DELETE", record: exact(record), unit: key }];
    for (const o of owners) {
      if (protectedTxt.has(o.txt.name) || deletedTxt.has(o.txt.name)) continue;
      deletedTxt.add(o.txt.name);
      unit.push({ action: "DELETE", record: exact(o.txt), unit: key });
    }
    units.push(unit);
  }
  // TXT records whose record is already gone: only new-format names, which say exactly what they own,
  // and none that could still own a record that is there or wanted (a legacy name may be one).
  const referenced = new Set([...protectedTxt, ...deletedTxt]);
  for (const r of [...managed.map(([, r]) => r), ...input.desired]) {
    for (const name of [buildTxtName(r.name, r.type, settings), ...legacyTxtNames(r.name, r.type, settings)])
      referenced.add(name);
  }
  for (const txt of index.records.values()) {
    if (txt.type !== "TXT" || referenced.has(txt.name)) continue;
    const owned = parseTxtName(txt.name, settings);
    if (!owned) continue;
    if (!ownedInScope({ txt, labels: parseTxtValue(txt.values), current: true })) continue;
    deletedTxt.add(txt.name);
    units.push([{ action: "DELETE", record: exact(txt), unit: keyOf(owned.name, owned.type) }]);
  }
  return units;
}

/** An address record of a zone whose ownership TXT names our owner id, with the resource it names. */
export interface OwnedRecord {
  readonly record: ObservedRecordSet;
  readonly resource?: string;
}

/**
 * The address records (A, AAAA, CNAME) of one zone that belong to `settings.ownerId` under the rules above
 * (their first ownership TXT names it), for `gannet gc` and `gannet cost`.
 */
export function findOwnedRecords(
  observed: readonly ObservedRecordSet[],
  settings: RegistrySettings,
): OwnedRecord[] {
  const index = new ZoneIndex(observed, settings);
  const out: OwnedRecord[] = [];
  for (const record of index.records.values()) {
    if (!ADDRESS_TYPES.includes(record.type)) continue;
    const own = index.ownerships(record.name, record.type)[0];
    if (!own || !index.isOurs(own)) continue;
    const resource = own.labels?.resource;
    out.push(resource === undefined ? { record } : { record, resource });
  }
  return out;
}

function unitRank(unit: readonly RecordChange[]): number {
  if (unit.some((c) => c.action === "DELETE")) return 0;
  return unit.some((c) => c.action === "CREATE" && c.record.type !== "TXT") ? 2 : 1;
}

/**
 * The changes that bring one zone to the desired records under the ownership rules above: deletions first,
 * then updates, then creations; within a unit, a new TXT goes before its record (so a record never exists
 * unowned) and a deleted record before its TXT.
 */
export function planRecords(input: PlanRecordsInput): RecordPlan {
  const index = new ZoneIndex(input.observed, input.settings);
  const conflicts: RecordConflict[] = [];
  const units: RecordChange[][] = [];
  const desiredKeys = new Set<string>();
  for (const d of input.desired) {
    if (d.zoneId !== input.zoneId) continue;
    const key = keyOf(d.name, d.type);
    if (desiredKeys.has(key)) continue;
    desiredKeys.add(key);
    const reason = findConflict(d, index, input.scope);
    if (reason !== undefined) conflicts.push({ name: d.name, type: d.type, resource: d.resource, reason });
    else {
      const changes = planDesired(d, index, input);
      if (changes.length > 0) units.push(changes);
    }
  }
  if (input.settings.policy === "sync") units.push(...planDeletions(index, input, desiredKeys));
  units.sort((a, b) => unitRank(a) - unitRank(b) || compareStrings(a[0]?.unit ?? "", b[0]?.unit ?? ""));
  conflicts.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.type, b.type));
  return { changes: units.flat(), conflicts };
}

/** Adjacent changes of the same unit, grouped; a change without a unit stands alone. */
export function groupChangeUnits(changes: readonly RecordChange[]): RecordChange[][] {
  const units: RecordChange[][] = [];
  let last: RecordChange | undefined;
  for (const change of changes) {
    const current = units.at(-1);
    if (current && last?.unit !== undefined && change.unit === last.unit) current.push(change);
    else units.push([change]);
    last = change;
  }
  return units;
}

/** Route53's limits per ChangeResourceRecordSets: record elements and characters of values. */
export interface BatchLimits {
  readonly maxChanges: number;
  readonly maxChars: number;
}

// Route53 counts each value as one element (an alias as one) and an UPSERT twice, for both limits.
function weight(change: RecordChange): { count: number; chars: number } {
  const factor = change.action === "UPSERT" ? 2 : 1;
  const values = change.record.values ?? [];
  const chars = values.reduce((n, v) => n + v.length, 0);
  return { count: Math.max(values.length, 1) * factor, chars: chars * factor };
}

/** Splits changes into batches within the limits, never separating a record from its TXT. */
export function splitIntoBatches(
  changes: readonly RecordChange[],
  limits: BatchLimits = { maxChanges: 1000, maxChars: 32_000 },
): RecordChange[][] {
  const batches: RecordChange[][] = [];
  let current: RecordChange[] = [];
  let count = 0;
  let chars = 0;
  for (const unit of groupChangeUnits(changes)) {
    const w = unit.map(weight).reduce((a, b) => ({ count: a.count + b.count, chars: a.chars + b.chars }));
    if (current.length > 0 && (count + w.count > limits.maxChanges || chars + w.chars > limits.maxChars)) {
      batches.push(current);
      current = [];
      count = 0;
      chars = 0;
    }
    current.push(...unit);
    count += w.count;
    chars += w.chars;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
