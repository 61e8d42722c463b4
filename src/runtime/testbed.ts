// Runtime: the local testbed (LocalStack with an emulated ALB data plane, and a real kube-apiserver with
// kube-controller-manager, kube-scheduler and the testbed's nodes that run Pods), started or reused by the
// project's scripts.
// Used by `gannet dev` (the README's run command) and by the test suite's global setup.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** What a testbed start found or started. */
export interface Testbed {
  readonly kubeconfig: string;
  readonly awsEndpoint: string;
  /** The emulated ALB data plane's admin URL (JSON: every listener served, and where). */
  readonly dataplane: string;
  /** Which servers this process started (and so may stop); reused or external ones are left alone. */
  readonly started: {
    readonly localstack: boolean;
    readonly apiserver: boolean;
    readonly dataplane: boolean;
  };
  /** The testbed nodes that run Pods (none when the cluster is external: GANNET_KUBECONFIG). */
  readonly nodes: readonly string[];
  /** One line naming the servers and the cluster's components, beginning with `testbed:`. */
  readonly description: string;
}

/** Options for starting the testbed. */
export interface TestbedOptions {
  /** Called with each line the start scripts print (progress of a first build, timings). */
  readonly onLine?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** Raised when a testbed server cannot be started or reached; the message says how to fix it. */
export class TestbedError extends Error {
  override readonly name = "TestbedError";
}

interface ScriptResult {
  readonly lines: string[];
}

function runScript(script: string, opts: TestbedOptions): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [join(root, script)], {
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (line.trim() === "") continue;
        lines.push(line);
        opts.onLine?.(line);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (cause) =>
      reject(new TestbedError(`could not run ${script}: ${cause.message}`, { cause })),
    );
    child.on("close", (code) => {
      if (code === 0) resolve({ lines });
      else
        reject(
          new TestbedError(
            `${script} failed (exit ${code}). Its output:\n${lines.slice(-40).join("\n")}\n` +
              `Run \`bash ${script}\` to see the whole output; see README.md, section "The testbed".`,
          ),
        );
    });
  });
}

function lineValue(lines: readonly string[], prefix: string): string | undefined {
  return lines
    .find((l) => l.startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

async function startLocalStack(opts: TestbedOptions): Promise<{ endpoint: string; started: boolean }> {
  const { lines } = await runScript("localstack/start.sh", opts);
  const endpoint = lineValue(lines, "aws-endpoint:");
  if (!endpoint) throw new TestbedError("localstack/start.sh did not print an `aws-endpoint:` line");
  return { endpoint, started: !lines.some((l) => /reus/i.test(l)) };
}

async function startApiServer(
  opts: TestbedOptions,
): Promise<{ kubeconfig: string; started: boolean; nodes: string[] }> {
  const env = opts.env ?? process.env;
  const external = env.GANNET_KUBECONFIG;
  if (external) return { kubeconfig: external, started: false, nodes: [] };
  // The script also starts (or reuses) the controller-manager, the scheduler and the nodes.
  const { lines } = await runScript("test/apiserver/start.sh", opts);
  const kubeconfig = lineValue(lines, "kubeconfig:");
  if (!kubeconfig) throw new TestbedError("test/apiserver/start.sh did not print a `kubeconfig:` line");
  const nodes = (lineValue(lines, "nodes:") ?? "").split(",").filter((n) => n !== "");
  return { kubeconfig, started: !lines.some((l) => l.startsWith("apiserver: reusing")), nodes };
}

/** Starts or reuses the data plane serving the ALBs of the AWS endpoint (after LocalStack is up). */
async function startDataplane(
  awsEndpoint: string,
  opts: TestbedOptions,
): Promise<{ admin: string; started: boolean }> {
  const env = { ...(opts.env ?? process.env), AWS_ENDPOINT_URL: awsEndpoint };
  const { lines } = await runScript("test/dataplane/start.sh", { ...opts, env });
  const admin = lineValue(lines, "dataplane: admin");
  if (!admin) throw new TestbedError("test/dataplane/start.sh did not print a `dataplane: admin` line");
  return { admin, started: !lines.some((l) => /reusing/.test(l)) };
}

/** Starts or reuses the servers, in parallel where they are independent, and describes them. */
export async function startTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  const awsAndDataplane = startLocalStack(opts).then(async (aws) => ({
    aws,
    dataplane: await startDataplane(aws.endpoint, opts),
  }));
  const [{ aws, dataplane }, kube] = await Promise.all([awsAndDataplane, startApiServer(opts)]);
  const description = await describeTestbed(aws.endpoint, kube.kubeconfig, kube.nodes);
  return {
    kubeconfig: kube.kubeconfig,
    nodes: kube.nodes,
    awsEndpoint: aws.endpoint,
    dataplane: dataplane.admin,
    started: { localstack: aws.started, apiserver: kube.started, dataplane: dataplane.started },
    description: `${description}; ALB data plane on 127.2.0.0/16 (admin ${dataplane.admin})`,
  };
}

/** Stops the servers this process started. */
export async function stopTestbed(testbed: Testbed, opts: TestbedOptions = {}): Promise<void> {
  const stops: Promise<ScriptResult>[] = [];
  if (testbed.started.localstack) stops.push(runScript("localstack/stop.sh", opts));
  if (testbed.started.apiserver) stops.push(runScript("test/apiserver/stop.sh", opts));
  if (testbed.started.dataplane) stops.push(runScript("test/dataplane/stop.sh", opts));
  await Promise.all(stops);
}

async function describeTestbed(
  awsEndpoint: string,
  kubeconfig: string,
  nodes: readonly string[],
): Promise<string> {
  const localstack = await fetchJson(`${awsEndpoint}/_localstack/health`).catch(() => undefined);
  const lsVersion = typeof localstack?.version === "string" ? localstack.version : "unknown version";
  const motoExt = /^moto-ext(?:\[[^\]]*\])?==(\S+)/m.exec(
    readFileSync(join(root, "localstack", "requirements.txt"), "utf8"),
  )?.[1];
  const kube = readKubeconfigServer(kubeconfig);
  const kubeVersion = await fetchKubeVersion(kube).catch(() => "unknown version");
  return (
    `testbed: LocalStack ${lsVersion} (elbv2 via moto-ext ${motoExt ?? "?"}) at ${awsEndpoint}; ` +
    `kube-apiserver ${kubeVersion} at ${kube.server}` +
    (nodes.length > 0
      ? ` with kube-controller-manager, kube-scheduler and ${nodes.length === 1 ? "testbed node" : "testbed nodes"} ${nodes.join(", ")}`
      : "")
  );
}

async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as Record<string, unknown>;
}

interface KubeServer {
  readonly server: string;
  readonly token?: string;
  readonly ca?: string;
}

function readKubeconfigServer(path: string): KubeServer {
  const text = readFileSync(path, "utf8");
  const server = /server:\s*(\S+)/.exec(text)?.[1] ?? "unknown server";
  const token = /token:\s*(\S+)/.exec(text)?.[1];
  const ca = /certificate-authority:\s*(\S+)/.exec(text)?.[1];
  return { server, ...(token ? { token } : {}), ...(ca ? { ca } : {}) };
}

async function fetchKubeVersion(kube: KubeServer): Promise<string> {
  // /version is readable by anyone; a curl-free probe keeps the description cheap and dependency-free.
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = request(
      `${kube.server}/version`,
      {
        ...(kube.ca ? { ca: readFileSync(kube.ca) } : {}),
        ...(kube.token ? { headers: { authorization: `Bearer ${kube.token}` } } : {}),
        timeout: 5000,
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () => {
          try {
            resolve(String((JSON.parse(body) as { gitVersion?: string }).gitVersion ?? "unknown version"));
          } catch (cause) {
            reject(cause);
          }
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
