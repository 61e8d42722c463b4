// Model: everything one group should be, as the build step makes it and the plan reads it: the ALB
// model, the certificates and validation records, the members, and the fingerprint.

import type { DesiredGroup, GroupKey } from "./desired.ts";
import type { Ingress } from "./kube-objects.ts";
import type { Owner } from "./ownership.ts";
import type { CertificateChoice, ValidationRecord } from "./tls/certificates.ts";

/** Everything one group should be: ALB, certificates, records' inputs, and its fingerprint. */
export interface GroupState {
  readonly group: GroupKey;
  readonly owner: Owner;
  readonly finalizer: string;
  /** Members not being deleted, in group order. */
  readonly live: readonly Ingress[];
  /** Members being deleted that still hold the group's finalizer. */
  readonly leaving: readonly Ingress[];
  /** Ingresses the group's join policy refused. */
  readonly refused: readonly Ingress[];
  readonly alb: DesiredGroup;
  readonly certificates: CertificateChoice;
  /** Validation CNAMEs of the group's pending certificates. */
  readonly validation: readonly ValidationRecord[];
  /** The hash of the desired state, kept on the ALB as `gannet.io/state` once AWS holds it. */
  readonly fingerprint: string;
  /**
   * True when the fingerprint covers all the group's work (nothing halted, leaving or waiting on ACM):
   * a matching fingerprint then means AWS holds the group and nothing more needs reading.
   */
  readonly fingerprinted: boolean;
}

/** Builds a group's desired state. Pure. */
