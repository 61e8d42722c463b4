// Test support: fault injection around the real AWS clients (never mocks of what the testbed can do).
//
// - `CrashSwitch` models a process that dies right after its k-th mutating AWS call: that call reaches
//   AWS and completes, then the process is gone. Every later AWS call (and every Kubernetes write) of
//   the abandoned runtime fails with `CrashError`, so nothing it does afterwards reaches a server.
// - `throttlingFaults` answers a share of attempts with the throttling error each service uses, and a
//   smaller share with a 5xx, through the call layer's fault hook (before the attempt leaves the process).

import { isReadOperation } from "../../src/aws/call-layer.ts";
import type { AwsClients } from "../../src/aws/clients.ts";
import type { ReconcileDeps } from "../../src/reconcile/reconcile-group.ts";

/** What a crashed process "throws": nothing after it may reach AWS or Kubernetes. */
export class CrashError extends Error {
  override readonly name = "CrashError";
}

interface StackLike {
  add(mw: unknown, opts: { step: "finalizeRequest"; name: string; priority: "low" }): void;
}

/** Counts mutating AWS calls that completed, and kills the process after the chosen one. */
export class CrashSwitch {
  /** Mutating calls that completed in AWS (attempts that failed are not counted). */
  mutating = 0;
  crashed = false;
  /** The operation after which the process died, e.g. `ElasticLoadBalancingV2:CreateRule`. */
  crashedAfter: string | undefined;
  private readonly crashAt: number | undefined;

  /** `crashAt`: die after this mutating call (1-based); never when undefined (a clean, counting run). */
  constructor(crashAt?: number) {
    this.crashAt = crashAt;
  }

  /**
   * Installs the switch inside the SDK's retry loop of each client (one attempt at a time, after the
   * call layer's own hook), so a crashed attempt is never retried and never counted as a success.
   */
  install(clients: AwsClients): void {
    for (const client of Object.values(clients) as { middlewareStack: StackLike }[]) {
      const mw =
        (next: (a: unknown) => Promise<unknown>, ctx: { clientName?: string; commandName?: string }) =>
        async (args: unknown) => {
          const operation = (ctx.commandName ?? "").replace(/Command$/, "");
          if (this.crashed) throw new CrashError(`the process crashed before ${operation}`);
          const out = await next(args);
          if (!isReadOperation(operation)) {
            this.mutating += 1;
            if (this.mutating === this.crashAt) {
              this.crashed = true;
              this.crashedAfter = `${(ctx.clientName ?? "").replace(/Client$/, "")}:${operation}`;
            }
          }
          // A call that completed after the crash (in flight at the time) never reports back either.
          if (this.crashed) throw new CrashError(`the process crashed after ${this.crashedAfter}`);
          return out;
        };
      client.middlewareStack.add(mw, { step: "finalizeRequest", name: "testCrashSwitch", priority: "low" });
    }
  }

  /** The reconcile's Kubernetes writes, refused once crashed. */
  kubeSink(kube: ReconcileDeps["kube"]): ReconcileDeps["kube"] {
    const guard =
      <A extends unknown[]>(fn: (...a: A) => Promise<void>) =>
      async (...a: A) => {
        if (this.crashed) throw new CrashError("the process crashed before a Kubernetes write");
        await fn(...a);
      };
    return {
      addFinalizer: guard((i, f) => kube.addFinalizer(i, f)),
      removeFinalizer: guard((i, f) => kube.removeFinalizer(i, f)),
      patchIngressStatus: guard((i, h) => kube.patchIngressStatus(i, h)),
      createEvent: guard((e) => kube.createEvent(e)),
    };
  }
}

/** The throttling error code each service answers with. */
const THROTTLE_CODE: Record<string, string> = {
  ElasticLoadBalancingV2: "Throttling",
  EC2: "RequestLimitExceeded",
  ACM: "ThrottlingException",
  Route53: "Throttling",
  WAFV2: "WAFLimitsExceededException",
};

/** Figures of a throttling run. */
export interface ThrottleFigures {
  attempts: number;
  throttled: number;
  serverErrors: number;
}

/** A deterministic pseudo-random source (mulberry32), so a failing run can be replayed by its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fault hook answering `throttleShare` of attempts with the service's throttling error (HTTP 400,
 * as AWS answers) and `serverErrorShare` with a 500 or 503, before the attempt leaves the process.
 */
export function throttlingFaults(opts: {
  readonly throttleShare: number;
  readonly serverErrorShare: number;
  readonly random: () => number;
  readonly figures: ThrottleFigures;
}) {
  return (service: string, operation: string, attempt: number): void => {
    opts.figures.attempts += 1;
    const roll = opts.random();
    if (roll < opts.throttleShare) {
      opts.figures.throttled += 1;
      const code = THROTTLE_CODE[service] ?? "Throttling";
      throw Object.assign(new Error(`Rate exceeded (injected, ${service}:${operation} attempt ${attempt})`), {
        name: code,
        Code: code,
        $fault: "client",
        $metadata: { httpStatusCode: 400, attempts: attempt },
      });
    }
    if (roll < opts.throttleShare + opts.serverErrorShare) {
      opts.figures.serverErrors += 1;
      const status = roll < opts.throttleShare + opts.serverErrorShare / 2 ? 500 : 503;
      throw Object.assign(new Error(`Internal failure (injected, ${service}:${operation})`), {
        name: status === 500 ? "InternalFailure" : "ServiceUnavailable",
        $fault: "server",
        $metadata: { httpStatusCode: status, attempts: attempt },
      });
    }
  };
}
