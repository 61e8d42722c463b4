// Tests only: small builders of Kubernetes objects and the cluster context the tests share.
// Pure (no I/O), so it may sit beside the model; nothing in the controller imports it.

import type { DesiredGroup } from "../model/desired.ts";
import type {
  EndpointSlice,
  HTTPIngressPath,
  Ingress,
  IngressBackend,
  Service,
  ServicePort,
} from "../model/kube-objects.ts";
import { SERVICE_NAME_LABEL } from "../model/kube-objects.ts";
import type { Subnet } from "../model/load-balancer/subnets.ts";
import type { CertificateSummary } from "../model/tls/certificates.ts";
import { buildDesiredGroup, type ClusterContext, type GroupInput } from "../sources/ingress/build-group.ts";

/** Namespace of the test objects. */
export const NS = "apps";

/** Prefixes `alb.ingress.kubernetes.io/` to each key. */
export function alb(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(annotations).map(([k, v]) => [`alb.ingress.kubernetes.io/${k}`, v]),
  );
}

/** A Service backend by port number or name. */
export function backend(service: string, port: number | string): IngressBackend {
  return { service: { name: service, port: typeof port === "number" ? { number: port } : { name: port } } };
}

/** One HTTP path. */
export function path(
  p: string | undefined,
  pathType: string,
  to: IngressBackend = backend("web", 80),
): HTTPIngressPath {
  return p === undefined ? { pathType, backend: to } : { path: p, pathType, backend: to };
}

/** Options of `ingress`. */
export interface IngressOptions {
  /** `metadata.creationTimestamp` (RFC 3339): decides conflicts by seniority. */
  readonly created?: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
  readonly className?: string;
  readonly rules?: Ingress["spec"]["rules"];
  readonly defaultBackend?: IngressBackend;
  readonly deleting?: boolean;
}

/** An Ingress with the given name and options; without rules it routes `/` of any host to web:80. */
export function ingress(name: string, o: IngressOptions = {}): Ingress {
  return {
    metadata: {
      namespace: o.namespace ?? NS,
      name,
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
      ...(o.created ? { creationTimestamp: o.created } : {}),
    },
    spec: {
      ...(o.className ? { ingressClassName: o.className } : {}),
      ...(o.defaultBackend ? { defaultBackend: o.defaultBackend } : {}),
      rules: o.rules ?? [{ http: { paths: [path("/", "Prefix")] } }],
    },
  };
}

/** A Service with the given ports (`name` optional). */
export function service(
  name: string,
  ports: ServicePort[] = [{ port: 80, targetPort: 8080 }],
  annotations?: Record<string, string>,
): Service {
  return {
    metadata: { namespace: NS, name, ...(annotations ? { annotations } : {}) },
    spec: { type: "ClusterIP", ports },
  };
}

/** An IPv4 EndpointSlice of `serviceName`. */
export function endpointSlice(
  serviceName: string,
  endpoints: { ip: string; ready?: boolean; terminating?: boolean }[],
  ports: { name?: string; port: number }[] = [{ port: 8080 }],
  sliceName = `${serviceName}-abc`,
): EndpointSlice {
  return {
    metadata: { namespace: NS, name: sliceName, labels: { [SERVICE_NAME_LABEL]: serviceName } },
    addressType: "IPv4",
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      ...(e.ready === undefined && e.terminating === undefined
        ? {}
        : {
            conditions: {
              ...(e.ready === undefined ? {} : { ready: e.ready }),
              ...(e.terminating === undefined ? {} : { terminating: e.terminating }),
            },
          }),
    })),
    ports,
  };
}

/** A subnet of vpc-0example. */
export function subnet(id: string, az: string, tags: Record<string, string>, vpcId = "vpc-0example"): Subnet {
  return { id, vpcId, availabilityZone: az, tags };
}

/** Six subnets in three AZs: public ones tagged for internet-facing ALBs, private ones for internal. */
export const SUBNETS: readonly Subnet[] = [
  subnet("subnet-0a00000000000001a", "eu-west-1a", { Name: "public-a", "kubernetes.io/role/elb": "1" }),
  subnet("subnet-0b00000000000001b", "eu-west-1b", { Name: "public-b", "kubernetes.io/role/elb": "1" }),
  subnet("subnet-0c00000000000001c", "eu-west-1c", { Name: "public-c", "kubernetes.io/role/elb": "1" }),
  subnet("subnet-0a00000000000002a", "eu-west-1a", {
    Name: "private-a",
    "kubernetes.io/role/internal-elb": "1",
  }),
  subnet("subnet-0b00000000000002b", "eu-west-1b", {
    Name: "private-b",
    "kubernetes.io/role/internal-elb": "1",
  }),
  subnet("subnet-0c00000000000002c", "eu-west-1c", {
    Name: "private-c",
    "kubernetes.io/role/internal-elb": "1",
  }),
];

/** The cluster context of the tests and golden files. */
export const CONTEXT: ClusterContext = { cluster: "gannet-dev", vpcId: "vpc-0example", subnets: SUBNETS };

/** A deterministic shuffle (mulberry32), so a failing order can be replayed from its seed. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Builds group `shop` of `members` against the given Services and EndpointSlices (test default context). */
export function buildShop(
  members: Ingress[],
  world: { readonly services: readonly Service[]; readonly slices: readonly EndpointSlice[] },
  overrides: Partial<GroupInput> = {},
): DesiredGroup {
  return buildDesiredGroup({
    group: "shop",
    members,
    services: world.services,
    endpointSlices: world.slices,
    context: CONTEXT,
    ...overrides,
  });
}

/** A member of group `shop` with a `group.order`. */
export function shopMember(name: string, order: number, o: IngressOptions = {}): Ingress {
  return ingress(name, {
    ...o,
    annotations: alb({ "group.name": "shop", "group.order": String(order), ...(o.annotations ?? {}) }),
  });
}

/** An ACM certificate ARN of the tests' account. */
export const certificateArn = (id: string) => `arn:aws:acm:eu-west-1:111122223333:certificate/${id}`;

/** A certificate: ISSUED and found in the account unless told otherwise. */
export function certificate(
  id: string,
  names: string[],
  o: Partial<CertificateSummary> = {},
): CertificateSummary {
  return {
    arn: certificateArn(id),
    domainName: names[0] ?? "",
    names,
    status: "ISSUED",
    type: "AMAZON_ISSUED",
    inUse: false,
    inUseBy: [],
    tags: {},
    validation: [],
    ...o,
  };
}
