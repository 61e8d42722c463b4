// Testbed node: a container's environment as the kubelet builds it: env values (with $(VAR)
// references), the downward API's fieldRef, ConfigMap and Secret keys and envFrom, plus
// GANNET_TESTBED_POD_IP, the address every program of the testbed listens on.

import type { CoreV1Api, V1Container, V1Pod } from "@kubernetes/client-node";

/** Raised when a container's environment cannot be built (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  override readonly name = "ContainerConfigError";
}

/** What the environment refers to. */
export interface EnvContext {
  readonly pod: V1Pod;
  readonly podIp: string;
  readonly hostIp: string;
  readonly core: CoreV1Api;
}

function fieldValue(path: string, ctx: EnvContext): string {
  const { pod } = ctx;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) {
    const map = keyed[1] === "labels" ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[keyed[2] ?? ""] ?? "";
  }
  const values: Record<string, string> = {
    "metadata.name": pod.metadata?.name ?? "",
    "metadata.namespace": pod.metadata?.namespace ?? "",
    "metadata.uid": pod.metadata?.uid ?? "",
    "spec.nodeName": pod.spec?.nodeName ?? "",
    "spec.serviceAccountName": pod.spec?.serviceAccountName ?? "",
    "status.podIP": ctx.podIp,
    "status.podIPs": ctx.podIp,
    "status.hostIP": ctx.hostIp,
    "status.hostIPs": ctx.hostIp,
  };
  const v = values[path];
  if (v === undefined) throw new ContainerConfigError(`fieldRef ${path} is not supported on the testbed`);
  return v;
}

/** $(VAR) expands to an earlier variable; $$(VAR) escapes it. */
export function expandReferences(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    m === "$$" ? "$" : (env[name ?? ""] ?? m),
  );
}

async function keyOf(
  ctx: EnvContext,
  kind: "ConfigMap" | "Secret",
  ref: { name?: string; key: string; optional?: boolean },
): Promise<string | undefined> {
  const data = await dataOf(ctx, kind, ref.name ?? "", ref.optional ?? false);
  const v = data?.[ref.key];
  if (v === undefined && !ref.optional)
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${ref.name}`);
  return v;
}

async function dataOf(
  ctx: EnvContext,
  kind: "ConfigMap" | "Secret",
  name: string,
  optional: boolean,
): Promise<Record<string, string> | undefined> {
  const namespace = ctx.pod.metadata?.namespace ?? "";
  try {
    if (kind === "ConfigMap") return (await ctx.core.readNamespacedConfigMap({ name, namespace })).data ?? {};
    const secret = await ctx.core.readNamespacedSecret({ name, namespace });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
    );
  } catch (cause) {
    if (optional) return undefined;
    throw new ContainerConfigError(`${kind.toLowerCase()} "${name}" not found`, { cause });
  }
}

/** The process environment of one container. */
export async function buildContainerEnv(c: V1Container, ctx: EnvContext): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOSTNAME: ctx.pod.metadata?.name ?? "",
  };
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const kind = from.configMapRef ? "ConfigMap" : "Secret";
    const data = await dataOf(ctx, kind, ref?.name ?? "", ref?.optional ?? false);
    for (const [k, v] of Object.entries(data ?? {})) env[`${from.prefix ?? ""}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    let value: string | undefined;
    if (!from) value = expandReferences(e.value ?? "", env);
    else if (from.fieldRef) value = fieldValue(from.fieldRef.fieldPath, ctx);
    else if (from.configMapKeyRef) value = await keyOf(ctx, "ConfigMap", from.configMapKeyRef);
    else if (from.secretKeyRef) value = await keyOf(ctx, "Secret", from.secretKeyRef);
    else
      throw new ContainerConfigError(
        `env ${e.name}: only value, fieldRef, configMapKeyRef and secretKeyRef are supported on the testbed`,
      );
    if (value !== undefined) env[e.name] = value;
  }
  env.GANNET_TESTBED_POD_IP = ctx.podIp;
  return env;
}
