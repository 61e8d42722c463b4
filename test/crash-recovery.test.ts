// Crash at every step: a group with HTTPS (a certificate requested and validated through Route53),
// its DNS records, then an update (a path added, a backend changed), then its deletion. A clean run
// counts the K mutating AWS calls of the whole story; then, for every k in 1..K, a process runs the
// same story and dies right after its k-th mutating call (the call completes in AWS, nothing after it
// reaches AWS or Kubernetes: see CrashSwitch), and a fresh process (new runtime, new counters, empty
// caches) takes over. After every phase the AWS state must equal the clean run's, resource by
// resource, found by Gannet's tags and counted (the emulator accepts duplicate names, so duplicates
// are caught by counting, never by an AWS error), and nothing may be left after the deletion.
//
// The fresh process reconciles with `verify: false`, as the controller's resync and a scheduled
// Lambda do: the fingerprint on the ALB is trusted, so this also proves a crash never leaves a
// fingerprint that claims a state AWS is not in. A final pass with `verify: true` must then find
// nothing to change.

import type { V1Ingress } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { CallStats } from "../src/aws/call-layer.ts";
import { createRuntime, type Runtime, resolveVpcId, runPass } from "../src/runtime/pass.ts";
import { type ClusterState, countState, readClusterState } from "./support/aws-state.ts";
import { CrashError, CrashSwitch } from "./support/faults.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Runs crashed in parallel (each in its own namespace and cluster id). */
const PARALLEL = Number(process.env.GANNET_CRASH_PARALLEL ?? 3);

function shop(host: string, paths: readonly { path: string; service: string }[]): V1Ingress {
  return {
    metadata: { name: "shop", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } },
    spec: {
      ingressClassName: "gannet",
      tls: [{ hosts: [host] }],
      rules: [
        {
          host,
          http: {
            paths: paths.map((p) => ({
              path: p.path,
              pathType: "Prefix",
              backend: { service: { name: p.service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

/** One process of Gannet: a runtime of its own behind a crash switch. */
interface GannetProcess {
  readonly rt: Runtime;
  readonly crash: CrashSwitch;
}

function startProcess(s: Scenario, crashAt?: number): GannetProcess {
  const rt = createRuntime(s.settings, new CallStats());
  const crash = new CrashSwitch(crashAt);
  crash.install(rt.clients);
  return { rt, crash };
}

/** The story, as a user tells it to Kubernetes; Gannet converges after each phase. */
const PHASES = [
  {
    name: "create",
    act: async (s: Scenario, host: string) => {
      await s.putBackend({ name: "web", ready: ["10.20.7.10", "10.20.7.11"] });
      await s.putIngress(shop(host, [{ path: "/", service: "web" }]));
    },
  },
  {
    name: "update",
    act: async (s: Scenario, host: string) => {
      await s.putBackend({ name: "web2", ready: ["10.20.7.20"] });
      await s.putBackend({ name: "api", ready: ["10.20.7.30"] });
      await s.putIngress(
        shop(host, [
          { path: "/", service: "web2" },
          { path: "/api", service: "api" },
        ]),
      );
    },
  },
  {
    name: "delete",
    act: async (s: Scenario) => {
      await s.kube.networking.deleteNamespacedIngress({ name: "shop", namespace: s.namespace });
    },
  },
] as const;

/** Passes until the phase is done: every group done (a pending certificate requeues), or the Ingress gone. */
async function converge(s: Scenario, p: GannetProcess, vpcId: string, deleting: boolean): Promise<number> {
  for (let pass = 1; pass <= 40; pass++) {
    const outcomes = await runPass(p.rt, vpcId, { verify: false, kube: p.crash.kubeSink(p.rt.kube) });
    if (p.crash.crashed) throw new CrashError(`crashed after ${p.crash.crashedAfter}`);
    if (
      deleting
        ? (await s.getIngress("shop")) === undefined
        : outcomes.every((o) => o.disposition.action === "done")
    )
      return pass;
    // A certificate waits for the emulator to issue it (MOTO_ACM_VALIDATION_WAIT seconds).
    await sleep(deleting ? 100 : 700);
  }
  throw new Error(`phase did not converge in 40 passes (${deleting ? "deletion" : "apply"})`);
}

/**
 * A state as compared between runs. The emulator issues a certificate MOTO_ACM_VALIDATION_WAIT seconds
 * after the request whatever DNS says, so on a loaded machine it may be ISSUED before the pass that
 * would write its validation CNAME (AWS never issues without it): whether that CNAME exists while the
 * group lives is timing, not Gannet. After the deletion nothing at all may be left, CNAME included.
 */
function comparable(state: ClusterState | undefined, phase: string): ClusterState | undefined {
  if (!state || phase === "delete") return state;
  const validation = (r: unknown) =>
    (r as { type?: string; name?: string }).type === "CNAME" && (r as { name: string }).name.startsWith("_");
  return { ...state, records: state.records.filter((r) => !validation(r)) };
}

/** What one run of the story saw. */
interface StoryRun {
  readonly states: ClusterState[];
  /** Mutating calls per phase (of the first process only, in a crashed run). */
  readonly mutatingByPhase: number[];
  readonly crashedAfter?: string;
  readonly crashedIn?: string;
  /** Mutating calls a full verify pass made right after the recovery (must be 0). */
  readonly verifyMutating?: number;
}

async function runStory(crashAt?: number): Promise<StoryRun> {
  const s = new Scenario();
  const label = `c-${uniqueSuffix()}`;
  const domain = `${label}.gannet.example.com`;
  const host = `shop.${domain}`;
  const scope = { cluster: s.cluster, namespace: s.namespace, domain };
  await s.setUp();
  let p = startProcess(s, crashAt);
  const vpcId = await resolveVpcId(p.rt);
  const states: ClusterState[] = [];
  const mutatingByPhase: number[] = [];
  let crashedAfter: string | undefined;
  let crashedIn: string | undefined;
  let verifyMutating: number | undefined;
  try {
    for (const [i, phase] of PHASES.entries()) {
      const before = p.crash.mutating;
      await phase.act(s, host);
      try {
        await converge(s, p, vpcId, phase.name === "delete");
        mutatingByPhase.push(p.crash.mutating - before);
      } catch (err) {
        if (!p.crash.crashed) throw err;
        crashedAfter = p.crash.crashedAfter;
        crashedIn = phase.name;
        mutatingByPhase.push(p.crash.mutating - before);
        // The process is gone: its runtime is abandoned (never closed cleanly, never used again).
        p = startProcess(s);
        await converge(s, p, vpcId, phase.name === "delete");
        if (phase.name !== "delete") {
          const start = p.crash.mutating;
          await runPass(p.rt, vpcId, { verify: true, kube: p.rt.kube });
          verifyMutating = p.crash.mutating - start;
        }
      }
      states[i] = await readClusterState(aws, scope);
    }
  } finally {
    p.rt.close();
    s.tearDown();
  }
  return {
    states,
    mutatingByPhase,
    ...(crashedAfter ? { crashedAfter } : {}),
    ...(crashedIn ? { crashedIn } : {}),
    ...(verifyMutating !== undefined ? { verifyMutating } : {}),
  };
}

describe("a crash right after any mutating AWS call", () => {
  it("is recovered by a fresh process to exactly the clean run's state, after every phase, with nothing leaked", async () => {
    const clean = await runStory();
    const K = clean.mutatingByPhase.reduce((a, b) => a + b, 0);
    const [created, updated, deleted] = clean.states.map(countState);
    // The clean run itself is what the recoveries are held to: make sure it is the story we mean.
    expect(created).toMatchObject({
      loadBalancers: 1,
      listeners: 2,
      targetGroups: 1,
      securityGroups: 1,
      certificates: 1,
    });
    expect(created?.records).toBeGreaterThanOrEqual(2); // A + its TXT (+ the validation CNAME, see comparable)
    expect(updated).toMatchObject({ loadBalancers: 1, targetGroups: 2, certificates: 1 });
    expect(deleted).toEqual({
      loadBalancers: 0,
      listeners: 0,
      rules: 0,
      targetGroups: 0,
      securityGroups: 0,
      certificates: 0,
      records: 0,
    });
    expect(K).toBeGreaterThan(10);
    // A story whose certificate was issued before its CNAME was written has one call less: a crash
    // run that never reached its k is told again.

    const only = process.env.GANNET_CRASH_ONLY?.split(",").map(Number);
    const ks = only ?? Array.from({ length: K }, (_, i) => i + 1);
    const runs = new Map<number, StoryRun>();
    let next = 0;
    const worker = async () => {
      while (next < ks.length) {
        const k = ks[next++] as number;
        let run = await runStory(k);
        for (let i = 0; i < 2 && !run.crashedAfter; i++) run = await runStory(k);
        runs.set(k, run);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, ks.length) }, worker));

    const failures: string[] = [];
    for (const k of ks) {
      const run = runs.get(k);
      if (!run?.crashedAfter) {
        failures.push(`k=${k}: the run made fewer mutating calls than k and never crashed`);
        continue;
      }
      for (const [i, phase] of PHASES.entries()) {
        const got = JSON.stringify(comparable(run.states[i], phase.name));
        const expected = JSON.stringify(comparable(clean.states[i], phase.name));
        if (got !== expected)
          failures.push(
            `k=${k} (crashed after ${run.crashedAfter} in ${run.crashedIn}): after ${phase.name}\n  got      ${got}\n  expected ${expected}`,
          );
      }
      if (run.verifyMutating)
        failures.push(`k=${k}: a verify pass after recovery still made ${run.verifyMutating} mutating calls`);
    }
    const operations = new Map<string, number>();
    for (const r of runs.values())
      if (r.crashedAfter) operations.set(r.crashedAfter, (operations.get(r.crashedAfter) ?? 0) + 1);
    const recovered = ks.length - new Set(failures.map((f) => f.split(":")[0])).size;
    console.log(
      `crash-recovery: crashed after each of ${ks.length} of ${K} mutating calls (create ${clean.mutatingByPhase[0]}, update ${clean.mutatingByPhase[1]}, delete ${clean.mutatingByPhase[2]}); ${recovered}/${ks.length} recovered to the clean run's state after every phase, with nothing leaked`,
    );
    console.log(
      `crash-recovery: crash points by operation: ${[...operations]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op}×${n}`)
        .join(", ")}`,
    );
    expect(failures).toEqual([]);
  }, 1_800_000);
});
