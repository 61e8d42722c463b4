// Shared types: Route53 hosted zones and record sets, as observe reads them and the planner changes them.
// Below every stage and adapter: this folder imports nothing of Gannet's.

/** A Route53 hosted zone: id without `/hostedzone/`, name lowercase without the trailing dot. */
export interface HostedZone {
  readonly id: string;
  readonly name: string;
  readonly private: boolean;
}

/** The target of a Route53 alias record. */
export interface AliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
  readonly evaluateTargetHealth: boolean;
}

/** A record set as a change carries it: name lowercase without the trailing dot, values as Route53 stores them. */
export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly values?: readonly string[];
  readonly alias?: AliasTarget;
}

/** A record set read from a zone; routing-policy record sets carry a set identifier. */
export interface ObservedRecordSet extends RecordSet {
  readonly setIdentifier?: string;
}

/** One Route53 change. Changes with the same `unit` are adjacent and always go in the same batch. */
export interface RecordChange {
  readonly action: "CREATE" | "UPSERT" | "DELETE";
  readonly record: RecordSet;
  readonly unit?: string;
}
