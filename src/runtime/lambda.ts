// Runtime: the Lambda front door (no pod in the cluster). An EventBridge schedule, or an on-demand
// invocation, runs: parse the event → connect to the EKS API with the function's own IAM token →
// take the Lease (or report that someone else holds it and do nothing) → reconcile (lambda-session.ts)
// → give the Lease back → return a summary. State lives only in Kubernetes and AWS: a warm function
// reuses its clients and token, a cold one rebuilds them, and both do the same work.

import { randomUUID } from "node:crypto";
import { CallStats } from "../aws/call-layer.ts";
import { createEksPort } from "../aws/eks.ts";
import { EksTokenSource } from "../aws/eks-token.ts";
import { type LambdaSettings, loadLambdaSettings } from "../config/lambda-settings.ts";
import { startChangeWatch } from "../kube/change-watch.ts";
import { KubePort } from "../kube/kube-port.ts";
import { SimpleLeaseLock } from "../kube/simple-lease-lock.ts";
import { buildTokenKubeConfig, retryOnUnauthorized } from "../kube/token-kube-config.ts";
import { whoAmI } from "../kube/whoami.ts";
import { createJsonLog, type JsonLog } from "./json-log.ts";
import { type LambdaRequest, parseLambdaEvent } from "./lambda-event.ts";
import { messageOf, runSession } from "./lambda-session.ts";
import { type LambdaSummary, summarize } from "./lambda-summary.ts";
import { createRuntime, type Runtime, resolveVpcId } from "./pass.ts";

/**
 * The lock an invocation holds while it works: a coordination.k8s.io/v1 Lease shared with the
 * in-cluster controller's leader election, so invocations never overlap and never fight a controller.
 * Any Lease module with these two calls fits (src/kube/simple-lease-lock.ts is the default).
 */
export interface LeaseLock {
  /** Takes the Lease for `durationSeconds` unless another holder has it; false when it does. */
  tryAcquire(holder: string, durationSeconds: number): Promise<boolean>;
  /** Gives the Lease back if still held. */
  release(): Promise<void>;
}

/** The parts of the Lambda context the handler uses. */
export interface LambdaContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
  getRemainingTimeInMillis?(): number;
}

/** What a warm function keeps between invocations (rebuilt by a cold one). */
export interface LambdaConnection {
  readonly rt: Runtime;
  readonly lambda: LambdaSettings;
  readonly tokens: EksTokenSource;
  readonly lock: LeaseLock;
  readonly whoAmI: () => Promise<string>;
  readonly startWatch: Parameters<typeof runSession>[0]["startWatch"];
  vpcId?: string;
}

/** How to build a handler (tests replace the environment, the log or the Lease lock). */
export interface LambdaHandlerOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: (line: string) => void;
  readonly leaseLock?: (connection: Omit<LambdaConnection, "lock">) => LeaseLock;
}

/** A Lambda handler, with `prepare` to build its connection ahead of the first event (init, benchmarks). */
export interface LambdaHandler {
  (event: unknown, context?: LambdaContext): Promise<LambdaSummary>;
  prepare(): Promise<LambdaConnection>;
  /** Closes the connection pools (tests and benchmarks; a Lambda sandbox just freezes). */
  close(): Promise<void>;
}

// Used when the context gives no deadline (a local call): the longest a Lambda may run.
const DEFAULT_BUDGET_MS = 15 * 60_000;

/** Builds the handler; nothing is read or connected until the first call (or `prepare`). */
export function createLambdaHandler(opts: LambdaHandlerOptions = {}): LambdaHandler {
  const stats = new CallStats();
  const rootLog = createJsonLog(opts.write);
  let connection: Promise<LambdaConnection> | undefined;
  const prepare = () => {
    connection ??= connect(opts, stats, rootLog);
    // A failed connect (bad settings, DescribeCluster refused) is tried again by the next invocation.
    connection.catch(() => {
      connection = undefined;
    });
    return connection;
  };

  const handler = async (event: unknown, context: LambdaContext = {}): Promise<LambdaSummary> => {
    const started = Date.now();
    const deadline = started + (context.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS);
    const requestId = context.awsRequestId ?? randomUUID();
    const holder = `lambda/${context.functionName ?? "gannet"}/${requestId}`;
    const log = rootLog.child({ requestId });
    const before = stats.snapshot();
    const finish = (s: Omit<Parameters<typeof summarize>[0], "stats" | "before" | "started" | "holder">) => {
      const summary = summarize({ ...s, stats, before, started, holder });
      log[summary.result === "failed" || summary.result === "rejected" ? "error" : "info"]("done", {
        summary,
      });
      return summary;
    };

    const parsed = parseLambdaEvent(event);
    if (!parsed.ok) return finish({ result: "rejected", errors: parsed.errors });
    const request = parsed.request;
    log.info("invoked", { mode: request.mode, ...(request.groups ? { groups: request.groups } : {}) });
    let conn: LambdaConnection;
    try {
      conn = await prepare();
    } catch (err) {
      return finish({ result: "failed", request, errors: [`could not connect: ${messageOf(err)}`] });
    }
    const lease = `${conn.lambda.lease.namespace}/${conn.lambda.lease.name}`;
    const retryUnauthorized = <T>(fn: () => Promise<T>) =>
      retryOnUnauthorized(conn.tokens, fn, () =>
        log.warn("the API server refused the token (401): signing a new one"),
      );
    let acquired: boolean;
    try {
      acquired = await retryUnauthorized(() =>
        conn.lock.tryAcquire(holder, Math.ceil((deadline - Date.now()) / 1000)),
      );
    } catch (err) {
      return finish({
        result: "failed",
        request,
        lease,
        errors: [`could not take the Lease ${lease}: ${messageOf(err)}`],
      });
    }
    if (!acquired) {
      const message = `the Lease ${lease} is held by another Gannet (an in-cluster controller or another invocation): nothing done`;
      return finish({ result: "lease-held", request, lease, message });
    }
    const errors: string[] = [];
    try {
      const kubeUser = await conn.whoAmI().catch(() => undefined);
      conn.vpcId ??= await resolveVpcId(conn.rt);
      const session = await runSession({
        rt: conn.rt,
        vpcId: conn.vpcId,
        request,
        watchMs: 1000 * (request.watchSeconds ?? conn.lambda.watchSeconds),
        lastPassBy: deadline - 1000 * conn.lambda.marginSeconds,
        startWatch: conn.startWatch,
        retryUnauthorized,
        log,
      });
      errors.push(...session.errors);
      return finish({
        result: "reconciled",
        request,
        lease,
        session,
        errors,
        ...(kubeUser ? { kubeUser } : {}),
      });
    } catch (err) {
      errors.push(messageOf(err));
      return finish({ result: "failed", request, lease, errors });
    } finally {
      await conn.lock
        .release()
        .catch((err: unknown) => log.warn("could not give the Lease back", { error: messageOf(err) }));
    }
  };
  const close = async () => {
    const conn = await connection?.catch(() => undefined);
    connection = undefined;
    conn?.rt.close();
  };
  return Object.assign(handler, { prepare, close });
}

async function connect(
  opts: LambdaHandlerOptions,
  stats: CallStats,
  log: JsonLog,
): Promise<LambdaConnection> {
  const { settings, lambda } = loadLambdaSettings(opts.env ?? process.env);
  const aws = {
    region: settings.region,
    ...(settings.awsEndpoint ? { endpoint: settings.awsEndpoint } : {}),
  };
  let endpoint = lambda.endpoint;
  if (!endpoint) {
    const eks = createEksPort(aws, { stats });
    try {
      const found = await eks.describeClusterEndpoint(lambda.eksCluster);
      endpoint = { server: found.endpoint, caData: found.caData };
    } finally {
      eks.destroy();
    }
  }
  const tokens = new EksTokenSource({ clusterName: lambda.eksCluster, region: settings.region });
  const kc = buildTokenKubeConfig({ ...endpoint, tokens });
  const rt = createRuntime(settings, stats, { kube: new KubePort(kc) });
  const base = {
    rt,
    lambda,
    tokens,
    whoAmI: () => whoAmI(kc),
    startWatch: (onChange: Parameters<typeof startChangeWatch>[1]["onChange"]) =>
      startChangeWatch(kc, { onChange, onError: (message) => log.warn(message) }),
  };
  const lock = opts.leaseLock?.(base) ?? new SimpleLeaseLock(kc, lambda.lease);
  return { ...base, lock };
}

/** The handler the function runs (`index.handler` in the bundle). */
export const handler: LambdaHandler = createLambdaHandler();

export type { LambdaRequest, LambdaSummary };
