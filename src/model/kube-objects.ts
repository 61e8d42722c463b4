// Model stage: the plain shapes of the Kubernetes objects the core reads.
// The kube adapter converts client objects into these, so the pure core never imports a client.

/** Metadata every object carries; only the fields the core reads. */
export interface ObjectMeta {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
  readonly deletionTimestamp?: string;
  /** RFC 3339, set by the API server; decides which of two conflicting Ingresses is older. */
  readonly creationTimestamp?: string;
}

/** A Service backend port: by number or by name, never both. */
export interface ServiceBackendPort {
  readonly number?: number;
  readonly name?: string;
}

/** networking.k8s.io/v1 IngressBackend. */
export interface IngressBackend {
  readonly service?: { readonly name: string; readonly port: ServiceBackendPort };
  readonly resource?: { readonly apiGroup?: string; readonly kind: string; readonly name: string };
}

/** One path of an IngressRule. */
export interface HTTPIngressPath {
  readonly path?: string;
  readonly pathType: "Exact" | "Prefix" | "ImplementationSpecific" | string;
  readonly backend: IngressBackend;
}

/** One rule of an Ingress: an optional host and its paths. */
export interface IngressRule {
  readonly host?: string;
  readonly http?: { readonly paths: readonly HTTPIngressPath[] };
}

/** networking.k8s.io/v1 Ingress, the fields Gannet reads. */
export interface Ingress {
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly ingressClassName?: string;
    readonly defaultBackend?: IngressBackend;
    readonly rules?: readonly IngressRule[];
    readonly tls?: readonly { readonly hosts?: readonly string[]; readonly secretName?: string }[];
  };
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: readonly { hostname?: string; ip?: string }[] };
  };
}

/** networking.k8s.io/v1 IngressClass. */
export interface IngressClass {
  readonly metadata: Omit<ObjectMeta, "namespace"> & { readonly namespace?: string };
  readonly spec: { readonly controller?: string; readonly parameters?: unknown };
}

/** One port of a Service. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
}

/** core/v1 Service, the fields Gannet reads. */
export interface Service {
  readonly metadata: ObjectMeta;
  readonly spec: { readonly type?: string; readonly ports?: readonly ServicePort[] };
}

/** One endpoint of an EndpointSlice. */
export interface Endpoint {
  readonly addresses: readonly string[];
  readonly conditions?: {
    readonly ready?: boolean;
    readonly serving?: boolean;
    readonly terminating?: boolean;
  };
  readonly zone?: string;
  readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string };
}

/** discovery.k8s.io/v1 EndpointSlice; its Service is the `kubernetes.io/service-name` label. */
export interface EndpointSlice {
  readonly metadata: ObjectMeta;
  readonly addressType: "IPv4" | "IPv6" | "FQDN" | string;
  readonly endpoints?: readonly Endpoint[];
  readonly ports?: readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[];
}

/** core/v1 ConfigMap: Gannet reads the one an IngressClass names in `spec.parameters`. */
export interface ConfigMap {
  readonly metadata: ObjectMeta;
  readonly data?: Readonly<Record<string, string>>;
}

/** The label on an EndpointSlice that names its Service. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
