// Infrastructure: the Kubernetes manifests of deploy/, read as they are and adapted for a stack (the
// image, the settings, the identity RBAC binds), so the YAML a kubectl user applies and the objects
// the constructs apply never drift apart.

import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

/** A Kubernetes object as plain JSON. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

const DEPLOY = new URL("../../deploy/", import.meta.url);

/** The objects of one YAML file of deploy/ (comments and empty documents dropped). */
export function readDeployManifests(file: string): Manifest[] {
  const text = readFileSync(new URL(file, DEPLOY), "utf8");
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

function find(manifests: readonly Manifest[], kind: string): Manifest {
  const m = manifests.find((x) => x.kind === kind);
  if (!m)
    throw new Error(`deploy/ has no ${kind}: the constructs read the controller's manifests from there`);
  return m;
}

const rbac = () => readDeployManifests("controller/rbac.yaml");

/** The namespace the controller (and its Lease) lives in, and its ServiceAccount, as deploy/ names them. */
export function controllerIdentity(): { namespace: string; serviceAccount: string } {
  const sa = find(rbac(), "ServiceAccount");
  return { namespace: sa.metadata.namespace ?? "default", serviceAccount: sa.metadata.name };
}

/** The Lease both flavours share (leader election of the controller, the lock of a Lambda invocation). */
export function leaderLease(): { namespace: string; name: string } {
  const role = find(rbac(), "Role");
  const rules = (role as { rules?: { resourceNames?: string[] }[] }).rules ?? [];
  const name = rules.find((r) => r.resourceNames?.length)?.resourceNames?.[0];
  if (!name) throw new Error("deploy/controller/rbac.yaml: the leader election Role names no Lease");
  return { namespace: role.metadata.namespace ?? "default", name };
}

/** How to adapt the controller's manifests. */
export interface ControllerManifestOptions {
  readonly image: string;
  /** Environment of the container: set or replaced by name, the others kept. */
  readonly env: Readonly<Record<string, string>>;
  readonly replicas: number;
  /** Annotations of the ServiceAccount (the IRSA role ARN). */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  readonly ingressClass: boolean;
}

type EnvVar = { name: string; value?: string; valueFrom?: unknown };
type Container = { name: string; image: string; env?: EnvVar[] };

/** deploy/controller and deploy/ingress-class, in apply order, with the image, settings and identity set. */
export function controllerManifests(opts: ControllerManifestOptions): Manifest[] {
  const out: Manifest[] = [
    ...readDeployManifests("controller/namespace.yaml"),
    ...rbac().map((m) =>
      m.kind === "ServiceAccount" && opts.serviceAccountAnnotations
        ? { ...m, metadata: { ...m.metadata, annotations: { ...opts.serviceAccountAnnotations } } }
        : m,
    ),
    ...readDeployManifests("controller/deployment.yaml").map((m) =>
      m.kind === "Deployment" ? adaptDeployment(m, opts) : m,
    ),
  ];
  return opts.ingressClass ? [...out, ...readDeployManifests("ingress-class/ingress-class.yaml")] : out;
}

function adaptDeployment(m: Manifest, opts: ControllerManifestOptions): Manifest {
  const spec = m.spec as { replicas: number; template: { spec: { containers: Container[] } } };
  const containers = spec.template.spec.containers.map((c, i) => {
    if (i !== 0) return c;
    const env = [...(c.env ?? [])];
    for (const [name, value] of Object.entries(opts.env)) {
      const at = env.findIndex((e) => e.name === name);
      if (at >= 0) env[at] = { name, value };
      else env.push({ name, value });
    }
    return { ...c, image: opts.image, env };
  });
  return {
    ...m,
    spec: {
      ...spec,
      replicas: opts.replicas,
      template: { ...spec.template, spec: { ...spec.template.spec, containers } },
    },
  };
}

/**
 * What a Lambda function's Kubernetes identity needs: the namespace (its Lease lives there), the
 * controller's ClusterRole and leader election Role from deploy/, bound to a Kubernetes group instead
 * of the ServiceAccount, and optionally the IngressClass.
 */
export function lambdaManifests(opts: {
  readonly group: string;
  readonly ingressClass: boolean;
}): Manifest[] {
  const roles = rbac().filter((m) => m.kind === "ClusterRole" || m.kind === "Role");
  const subjects = [{ kind: "Group", name: opts.group, apiGroup: "rbac.authorization.k8s.io" }];
  const bindings = rbac()
    .filter((m) => m.kind === "ClusterRoleBinding" || m.kind === "RoleBinding")
    .map((m) => ({ ...m, metadata: { ...m.metadata, name: `${m.metadata.name}-lambda` }, subjects }));
  const out = [...readDeployManifests("controller/namespace.yaml"), ...roles, ...bindings];
  return opts.ingressClass ? [...out, ...readDeployManifests("ingress-class/ingress-class.yaml")] : out;
}
