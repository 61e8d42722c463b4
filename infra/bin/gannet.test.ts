import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { GannetContextError, readAppConfig } from "../lib/app-config.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Synthesizes the app: with the CDK CLI itself (`cdk synth`, as the README documents it), or by
 * running infra/bin/gannet.ts the way the CLI does (context and output directory from the environment).
 */
async function synth(context: Record<string, string>, via: "cli" | "app") {
  const outdir = mkdtempSync(join(tmpdir(), "gannet-synth-"));
  dirs.push(outdir);
  const app = join(import.meta.dirname, "gannet.ts");
  const args =
    via === "cli"
      ? [
          join(root, "node_modules", "aws-cdk", "bin", "cdk"),
          "synth",
          "--app",
          `${process.execPath} ${app}`,
          "--output",
          outdir,
          "--no-notices",
          "--quiet",
          ...Object.entries(context).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
        ]
      : [app];
  const result = await run(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      CDK_DISABLE_CLI_TELEMETRY: "true",
      AWS_EC2_METADATA_DISABLED: "true",
      ...(via === "app"
        ? {
            CDK_OUTDIR: outdir,
            CDK_CONTEXT_JSON: JSON.stringify(context),
            CDK_DEFAULT_ACCOUNT: "111122223333",
            CDK_DEFAULT_REGION: "eu-west-1",
          }
        : {}),
    },
  }).catch((err: { stdout: string; stderr: string }) => ({ ...err, failed: true }));
  const files = readdirSync(outdir);
  const report = files.includes("validation-report.json")
    ? (JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as {
        pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string }[] }[];
      })
    : undefined;
  const template = (name: string) =>
    JSON.parse(readFileSync(join(outdir, name), "utf8")) as Record<string, unknown>;
  return { result, files, report, template };
}

const common = {
  clusterName: "prod",
  hostedZoneIds: "Z0123456789ABC,Z0456789ABCDEF",
  kubectlRoleArn: "arn:aws:iam::111122223333:role/prod-kubectl",
  vpcId: "vpc-0abc1234",
};

describe("the CDK app (infra/bin/gannet.ts) synthesizes each flavour, cdk-nag AwsSolutions clean", () => {
  const image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/gannet:0.1.0";
  it.each([
    ["lambda", "cli", { flavour: "lambda" }],
    ["in-cluster", "app", { flavour: "in-cluster", image }],
  ] as const)("%s (through the %s)", { timeout: 120_000 }, async (_flavour, via, context) => {
    // Act
    const bundle = context.flavour === "lambda" ? { lambdaBundleDir: inject("lambdaBundleDir") } : {};
    const { result, files, report, template } = await synth({ ...common, ...context, ...bundle }, via);
    // Assess
    expect(result, JSON.stringify(result)).not.toHaveProperty("failed");
    expect(report?.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual([]);
    expect(files).toContain("Gannet-prod.template.json");
    const resources = Object.values(
      template("Gannet-prod.template.json").Resources as Record<string, { Type: string }>,
    ).map((r) => r.Type);
    expect(resources).toContain("Custom::AWSCDK-EKS-KubernetesResource");
    expect(resources).toContain(
      context.flavour === "lambda" ? "AWS::Lambda::Function" : "AWS::EKS::PodIdentityAssociation",
    );
  });
});

describe("the app's context values", () => {
  const get = (values: Record<string, unknown>) => (key: string) => values[key];

  it("reads them, with defaults", () => {
    expect(readAppConfig(get({ ...common, flavour: "lambda" }))).toEqual({
      flavour: "lambda",
      clusterName: "prod",
      hostedZoneIds: ["Z0123456789ABC", "Z0456789ABCDEF"],
      kubectlRoleArn: common.kubectlRoleArn,
      vpcId: "vpc-0abc1234",
      credentials: "pod-identity",
      scheduleMinutes: 1,
      resyncMinutes: 30,
      stackName: "Gannet-prod",
    });
  });

  it.each([
    [{}, /-c flavour=…: must be "lambda" or "in-cluster"; got undefined/],
    [
      { flavour: "lambda", hostedZoneIds: "Z1" },
      /-c clusterName=…: is required: the name of your EKS cluster/,
    ],
    [{ flavour: "lambda", clusterName: "prod" }, /-c hostedZoneIds=…: is required/],
    [{ ...common, flavour: "in-cluster" }, /-c image=…: is required for the in-cluster flavour/],
    [
      { ...common, flavour: "in-cluster", image: "x", credentials: "irsa" },
      /-c oidcProviderArn=…: is required with credentials=irsa/,
    ],
    [
      { ...common, flavour: "lambda", scheduleMinutes: "0.5" },
      /-c scheduleMinutes=…: must be a whole number of minutes; got "0.5"/,
    ],
    [
      { ...common, flavour: "lambda", vpcId: "default" },
      /-c vpcId=…: must be a VPC id such as vpc-0abc1234; got "default"/,
    ],
  ])("refuses %j naming the key, the value and the fix", (values, message) => {
    expect(() => readAppConfig(get(values))).toThrow(GannetContextError);
    expect(() => readAppConfig(get(values))).toThrow(message);
  });
});
