// Runtime: the Lambda front door (no pod in the cluster). An EventBridge schedule, or an on-demand
// invocation, runs: parse the event → connect to the EKS API with the function's own IAM token →
// take the Lease with the controller's leader elector (or report that someone else holds it and do
// nothing) → reconcile (lambda-session.ts) while renewing it, every write fenced by it as the
// controller's are → give the Lease back → return a summary. State lives only in Kubernetes and AWS:
// a warm function reuses its clients, token and elector (which remembers the Lease it saw), a cold
// one rebuilds them, and both do the same work.

import { randomUUID } from "node:crypto";
import { CallStats } from "../aws/call-layer.ts";
import { createEksPort } from "../aws/eks.ts";
import { EksTokenSource } from "../aws/eks-token.ts";
import { type LambdaSettings, loadLambdaSettings } from "../config/lambda-settings.ts";
import { startChangeWatch } from "../kube/change-watch.ts";
import { KubePort } from "../kube/kube-port.ts";
import { DEFAULT_LEASE_TIMING, LeaderElector } from "../kube/leader-election.ts";
import { LeaseLock } from "../kube/lease.ts";
import { buildTokenKubeConfig, retryOnUnauthorized } from "../kube/token-kube-config.ts";
import { whoAmI } from "../kube/whoami.ts";
import { awsFence, fencedSink } from "./fence.ts";
import { type LambdaRequest, parseLambdaEvent } from "./lambda-event.ts";
import { messageOf, runSession } from "./lambda-session.ts";
import { type LambdaSummary, summarize } from "./lambda-summary.ts";
import { createLogger, type Logger } from "./log.ts";
import { createRuntime, type Runtime, resolveVpcId } from "./pass.ts";

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
  /**
   * The controller's leader elector on the same Lease (default gannet-system/gannet-leader), so
   * invocations never overlap and never write while an in-cluster controller leads.
   */
  readonly elector: LeaderElector;
  readonly whoAmI: () => Promise<string>;
  readonly startWatch: Parameters<typeof runSession>[0]["startWatch"];
  vpcId?: string;
}

/** How to build a handler (tests replace the environment or the log). */
export interface LambdaHandlerOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: (line: string) => void;
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
  const rootLog = createLogger("info", { sync: true, ...(opts.write ? { write: opts.write } : {}) });
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
    const log = rootLog.child({ requestId });
    const before = stats.snapshot();
    let holder: string | undefined;
    const finish = (s: Omit<Parameters<typeof summarize>[0], "stats" | "before" | "started" | "holder">) => {
      const summary = summarize({ ...s, stats, before, started, ...(holder ? { holder } : {}) });
      log[summary.result === "failed" || summary.result === "rejected" ? "error" : "info"](
        { summary },
        "done",
      );
      return summary;
    };

    const parsed = parseLambdaEvent(event);
    if (!parsed.ok) return finish({ result: "rejected", errors: parsed.errors });
    const request = parsed.request;
    log.info({ mode: request.mode, ...(request.groups ? { groups: request.groups } : {}) }, "invoked");
    let conn: LambdaConnection;
    try {
      conn = await prepare();
    } catch (err) {
      return finish({ result: "failed", request, errors: [`could not connect: ${messageOf(err)}`] });
    }
    const lease = `${conn.lambda.lease.namespace}/${conn.lambda.lease.name}`;
    const { elector } = conn;
    holder = elector.identity;
    const retryUnauthorized = <T>(fn: () => Promise<T>) =>
      retryOnUnauthorized(conn.tokens, fn, () =>
        log.warn("the API server refused the token (401): signing a new one"),
      );
    let acquired: boolean;
    try {
      acquired = await retryUnauthorized(async () => {
        const attempt = await elector.tryAcquireOrRenew();
        if (attempt === "error") throw elector.lastError;
        return attempt === "held";
      });
    } catch (err) {
      return finish({
        result: "failed",
        request,
        lease,
        errors: [`could not take the Lease ${lease}: ${messageOf(err)}`],
      });
    }
    if (!acquired) {
      const message = `the Lease ${lease} is held by another Gannet (${elector.leader}: an in-cluster controller or another invocation): nothing done`;
      return finish({ result: "lease-held", request, lease, message });
    }
    const errors: string[] = [];
    // Renewed every retry period while the session runs; once lost, no pass starts and the fence
    // refuses every write, so the new holder never races this invocation.
    const lost = new AbortController();
    const stopRenewing = new AbortController();
    const renewing = elector.renewWhileLeading(stopRenewing.signal).then((kept) => {
      if (kept) return;
      errors.push(`lost the Lease ${lease} to ${elector.leader || "nobody"}: stopped early`);
      lost.abort();
    });
    const isLeader = () => elector.isLeader();
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
        kube: fencedSink(conn.rt.kube, isLeader, () => {}),
        signal: lost.signal,
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
      stopRenewing.abort();
      await renewing;
      await elector
        .release()
        .catch((err: unknown) => log.warn({ error: messageOf(err) }, "could not give the Lease back"));
    }
  };
  const close = async () => {
    const conn = await connection?.catch(() => undefined);
    connection = undefined;
    conn?.rt.close();
  };
  return Object.assign(handler, { prepare, close });
}

async function connect(opts: LambdaHandlerOptions, stats: CallStats, log: Logger): Promise<LambdaConnection> {
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
  // One identity per sandbox: a warm function that could not give the Lease back renews it next time.
  const identity = `lambda/${opts.env?.AWS_LAMBDA_FUNCTION_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? "gannet"}/${randomUUID()}`;
  const elector = new LeaderElector(new LeaseLock(kc, lambda.lease), identity, DEFAULT_LEASE_TIMING);
  // Reads always pass; a mutating AWS call needs the Lease, as in the controller.
  const rt = createRuntime(settings, stats, {
    kube: new KubePort(kc),
    beforeAwsCall: awsFence(() => elector.isLeader()),
  });
  return {
    rt,
    lambda,
    tokens,
    elector,
    whoAmI: () => whoAmI(kc),
    startWatch: (onChange: Parameters<typeof startChangeWatch>[1]["onChange"]) =>
      startChangeWatch(kc, { onChange, onError: (message) => log.warn(message) }),
  };
}

/** The handler the function runs (`index.handler` in the bundle). */
export const handler: LambdaHandler = createLambdaHandler();

export type { LambdaRequest, LambdaSummary };
