#!/usr/bin/env node
// Runtime: the `gannet` command line. Each command parses input, wires the core and maps the outcome
// to an exit code: reconcile (1 when a group failed), plan (0 nothing to do, 2 changes), gc (0 nothing
// orphaned or all deleted, 2 orphans found in a dry run, 1 a deletion failed), cost, controller, dev.

import { Command, CommanderError, Option } from "commander";
import { loadControllerSettings, type RawControllerSettings } from "../config/controller-settings.ts";
import { loadCostSettings, type RawCostFlags } from "../config/cost-settings.ts";
import { loadSettings, type RawSettings, SettingsError } from "../config/settings.ts";
import { hasChanges } from "../plan/plan-reconcile.ts";
import { runController } from "./controller.ts";
import { runDev } from "./dev.ts";
import { formatOutcome, formatPlan, planReport } from "./format.ts";
import { runCost, runGc } from "./gc.ts";
import { createRuntime, RuntimeError, resolveVpcId, runPass } from "./pass.ts";

interface CommonFlags extends RawSettings {
  readonly quiet?: boolean;
}

function withCommonFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--cluster <name>", "cluster name written into ownership tags (env GANNET_CLUSTER_NAME)"),
    )
    .addOption(new Option("--region <region>", "AWS region (env AWS_REGION; default us-east-1)"))
    .addOption(
      new Option("--aws-endpoint <url>", "AWS endpoint override, e.g. LocalStack (env AWS_ENDPOINT_URL)"),
    )
    .addOption(
      new Option(
        "--kubeconfig <path>",
        "kubeconfig file (env GANNET_KUBECONFIG; default: in-cluster or ~/.kube/config)",
      ),
    )
    .addOption(
      new Option(
        "--vpc-id <id>",
        "VPC of the ALBs (env GANNET_VPC_ID; default: the VPC of the ELB-tagged subnets)",
      ),
    )
    .addOption(
      new Option(
        "--namespace <ns>",
        "only Ingresses of this namespace (env GANNET_WATCH_NAMESPACE; default all)",
      ),
    )
    .addOption(
      new Option("--concurrency <n>", "groups reconciled in parallel (env GANNET_CONCURRENCY; default 4)"),
    )
    .addOption(
      new Option(
        "--owner-id <id>",
        "ExternalDNS owner id in TXT ownership records (env GANNET_TXT_OWNER_ID; default the cluster name)",
      ),
    )
    .addOption(new Option("--txt-prefix <prefix>", "TXT record name prefix (env GANNET_TXT_PREFIX)"))
    .addOption(new Option("--txt-suffix <suffix>", "TXT record name suffix (env GANNET_TXT_SUFFIX)"))
    .addOption(
      new Option(
        "--dns-policy <policy>",
        "sync, upsert-only or create-only (env GANNET_DNS_POLICY; default sync)",
      ),
    )
    .addOption(
      new Option("--domain-filter <domains>", "comma-separated zone domains (env GANNET_DOMAIN_FILTER)"),
    )
    .addOption(
      new Option("--zone-id-filter <ids>", "comma-separated hosted zone ids (env GANNET_ZONE_ID_FILTER)"),
    );
}

function withCostFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option("--output <format>", "text or json (default text)"))
    .addOption(new Option("--lcus <n>", "average LCUs per ALB assumed for its price (default 1)"))
    .addOption(new Option("--alb-hour-price <usd>", "USD per ALB-hour (default: the region's list price)"))
    .addOption(new Option("--lcu-hour-price <usd>", "USD per LCU-hour (default: the region's list price)"));
}

function withControllerFlags(cmd: Command): Command {
  const flag = (spec: string, help: string) => cmd.addOption(new Option(spec, help));
  flag(
    "--resync-period <duration>",
    "reconcile every group this often (env GANNET_RESYNC_PERIOD; default 10m)",
  );
  flag(
    "--verify-period <duration>",
    "read each group's AWS state in full this often (env GANNET_VERIFY_PERIOD; default 30m)",
  );
  flag(
    "--metrics-bind-address <host:port>",
    "serve /metrics, /healthz and /readyz here; 0 turns it off (env GANNET_METRICS_BIND_ADDRESS; default :8080)",
  );
  flag("--leader-elect <bool>", "elect a leader with a Lease (env GANNET_LEADER_ELECT; default true)");
  flag(
    "--lease-namespace <ns>",
    "namespace of the leader Lease (env GANNET_LEASE_NAMESPACE; default the pod's namespace)",
  );
  flag("--lease-name <name>", "name of the leader Lease (env GANNET_LEASE_NAME; default gannet-leader)");
  flag(
    "--lease-duration <duration>",
    "how long a Lease holds without renewal (env GANNET_LEASE_DURATION; default 15s)",
  );
  flag(
    "--renew-deadline <duration>",
    "the leader gives up if it cannot renew for this long (env GANNET_RENEW_DEADLINE; default 10s)",
  );
  flag(
    "--retry-period <duration>",
    "how often to renew or try to take the Lease (env GANNET_RETRY_PERIOD; default 2s)",
  );
  flag("--log-level <level>", "debug, info, warn or error (env GANNET_LOG_LEVEL; default info)");
  flag(
    "--shutdown-timeout <duration>",
    "how long SIGTERM waits for running reconciles (env GANNET_SHUTDOWN_TIMEOUT; default 25s)",
  );
  return cmd;
}

async function reconcileCommand(flags: CommonFlags): Promise<number> {
  const rt = createRuntime(loadSettings(flags));
  try {
    const vpcId = await resolveVpcId(rt);
    const outcomes = await runPass(rt, vpcId, { onOutcome: (o) => console.log(formatOutcome(o)) });
    const failed = outcomes.filter((o) => o.error);
    const totals = rt.stats.totals();
    console.log(
      `reconciled ${outcomes.length} group(s), ${failed.length} failed; AWS calls: ${totals.calls} (${totals.mutating} mutating)`,
    );
    return failed.length > 0 ? 1 : 0;
  } finally {
    rt.close();
  }
}

interface PlanFlags extends CommonFlags {
  readonly output?: string;
}

async function planCommand(flags: PlanFlags): Promise<number> {
  const output = flags.output ?? "text";
  if (output !== "text" && output !== "json")
    throw new SettingsError(`--output: must be text or json, got ${JSON.stringify(output)}`);
  const rt = createRuntime(loadSettings(flags));
  try {
    const vpcId = await resolveVpcId(rt);
    const outcomes = await runPass(rt, vpcId, { dryRun: true });
    const pending = outcomes.filter((o) => o.plan && hasChanges(o.plan));
    if (output === "json") console.log(JSON.stringify(planReport(outcomes), null, 2));
    else for (const o of outcomes) console.log(formatPlan(o));
    if (outcomes.some((o) => o.error)) return 1;
    return pending.length > 0 ? 2 : 0;
  } finally {
    rt.close();
  }
}

async function gcCommand(flags: CommonFlags & RawCostFlags & { yes?: boolean }): Promise<number> {
  const settings = loadSettings(flags);
  const cost = loadCostSettings(flags, settings.region);
  const rt = createRuntime(settings);
  try {
    const vpcId = await resolveVpcId(rt);
    return await runGc(rt, vpcId, { ...cost, yes: flags.yes === true, print: (l) => console.log(l) });
  } finally {
    rt.close();
  }
}

async function costCommand(flags: CommonFlags & RawCostFlags): Promise<number> {
  const settings = loadSettings(flags);
  const cost = loadCostSettings(flags, settings.region);
  const rt = createRuntime(settings);
  try {
    const vpcId = await resolveVpcId(rt);
    await runCost(rt, vpcId, { ...cost, print: (l) => console.log(l) });
    return 0;
  } finally {
    rt.close();
  }
}

/** Parses argv and runs the chosen command; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = new Command()
    .name("gannet")
    .description(
      "Kubernetes Ingress controller for AWS: ALBs, ACM certificates and Route53 records from Ingresses",
    )
    .exitOverride();
  withCommonFlags(
    program.command("reconcile").description("reconcile every Ingress group once and exit"),
  ).action(async (f: CommonFlags) => {
    code = await reconcileCommand(f);
  });
  withCommonFlags(
    program
      .command("plan")
      .description(
        "print every change a reconcile would make: ALB, certificates, DNS records, finalizers (exit 2 when any)",
      )
      .addOption(new Option("--output <format>", "text or json (default text)")),
  ).action(async (f: PlanFlags) => {
    code = await planCommand(f);
  });
  withCostFlags(
    withCommonFlags(
      program
        .command("gc")
        .description(
          "list AWS resources of this cluster whose Ingress group is gone, with their monthly cost; --yes deletes them (exit 2 when found in a dry run)",
        )
        .option("--yes", "delete what is found (default: dry run)"),
    ),
  ).action(async (f: CommonFlags & RawCostFlags & { yes?: boolean }) => {
    code = await gcCommand(f);
  });
  withCostFlags(
    withCommonFlags(
      program
        .command("cost")
        .description("per Ingress group, the AWS resources it holds and an estimate of their monthly cost"),
    ),
  ).action(async (f: CommonFlags & RawCostFlags) => {
    code = await costCommand(f);
  });
  withControllerFlags(
    withCommonFlags(
      program
        .command("controller")
        .description("the in-cluster controller: informers, a work queue, leader election, /metrics"),
    ),
  ).action(async (f: CommonFlags & RawControllerSettings) => {
    code = await runController(loadSettings(f), loadControllerSettings(f));
  });
  withCommonFlags(
    program
      .command("dev")
      .description("start the local testbed, install the examples and run the controller in the foreground")
      .option("--no-examples", "do not apply examples/"),
  ).action(async (f: CommonFlags & { examples: boolean }) => {
    code = await runDev(f, { examples: f.examples });
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof SettingsError || err instanceof RuntimeError) {
      console.error(`gannet: ${err.message}`);
      return 2;
    }
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return code;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`gannet: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
