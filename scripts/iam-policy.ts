// `npm run docs:iam-policy`: writes deploy/iam-policy.json, the IAM policy for kubectl and Helm installs,
// from the same builder the CDK constructs use (infra/lib/gannet-policy.ts); `--check` only compares.
//
// The builder is parameterised by the cluster name (in every ownership-tag condition), the hosted zones,
// an optional VPC and, for the Lambda runtime only, the EKS cluster's ARN. A file that works unedited in
// any account fills those in as follows:
//   - cluster name: the IAM policy variable `${aws:PrincipalTag/gannet.io/cluster}`, so the conditions
//     compare Gannet's ownership tag with the same tag on the role Gannet runs as (attribute-based access
//     control). A role without that tag gets none of the tag-scoped statements (IAM cannot resolve the
//     variable), so the policy fails closed; one policy serves every cluster, each role tagged with its own.
//   - hosted zones: every zone of the account (`hostedzone/*`), still limited to the record types Gannet
//     writes; `--zone-id-filter` limits Gannet itself, and the CDK names the zones in the policy.
//   - VPC: none (security group writes in any VPC), as the CDK does when no vpcId is given.
//   - account and region: `*`; partition: `aws` (replace it for aws-cn or aws-us-gov).
//   - runtime: in-cluster (no eks:DescribeCluster, which only the Lambda handler calls).
// The CDK attaches the policy inline (10,240 characters per role); this file is for `aws iam create-policy`,
// whose managed policies hold 6,144 characters (whitespace not counted). To fit, the file leaves out the
// statement ids (docs/iam-policy.md says what each statement is for) and joins statements that differ only
// in their resources, which grants exactly the same.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as route53 from "aws-cdk-lib/aws-route53";
import { buildGannetPolicyStatements } from "../infra/lib/gannet-policy.ts";

/** The file this script writes, from the repository root. */
export const IAM_POLICY_PATH = "deploy/iam-policy.json";

/** IAM's size limit for a managed policy, whitespace not counted. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** The command that regenerates the file. */
export const IAM_POLICY_COMMAND = "npm run docs:iam-policy";

/** The IAM role tag whose value the policy compares with Gannet's `gannet.io/cluster` ownership tag. */
export const CLUSTER_PRINCIPAL_TAG = "gannet.io/cluster";

// What the CloudFormation pseudo parameters of an environment-agnostic stack become in a static file.
const PSEUDO: Readonly<Record<string, string>> = {
  "AWS::Partition": "aws",
  "AWS::Region": "*",
  "AWS::AccountId": "*",
};

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The policy document deploy/iam-policy.json holds, as plain JSON. */
export function buildStaticIamPolicy(): unknown {
  const stack = new Stack(new App(), "GannetIamPolicy");
  const allZones = route53.HostedZone.fromHostedZoneId(stack, "AllZones", "*");
  const doc = new iam.PolicyDocument({
    statements: buildGannetPolicyStatements(stack, {
      runtime: "in-cluster",
      clusterName: `\${aws:PrincipalTag/${CLUSTER_PRINCIPAL_TAG}}`,
      hostedZones: [allZones],
    }),
  });
  const resolved = flattenIntrinsics(stack.resolve(doc.toJSON())) as { Statement: PolicyStatement[] };
  return { Version: "2012-10-17", Statement: joinByResources(resolved.Statement) };
}

interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: unknown;
}

/** Drops the Sids and joins statements with the same effect, actions and conditions (their resources add up). */
function joinByResources(statements: readonly PolicyStatement[]): PolicyStatement[] {
  const joined = new Map<
    string,
    { Effect: string; Action: string | string[]; Resource: string[]; Condition?: unknown }
  >();
  for (const s of statements) {
    const key = JSON.stringify([s.Effect, s.Action, s.Condition ?? null]);
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    const seen = joined.get(key);
    if (seen) seen.Resource.push(...resources.filter((r) => !seen.Resource.includes(r)));
    else
      joined.set(key, {
        Effect: s.Effect,
        Action: s.Action,
        Resource: [...resources],
        ...(s.Condition === undefined ? {} : { Condition: s.Condition }),
      });
  }
  return [...joined.values()].map((s) => ({
    ...s,
    Resource: s.Resource.length === 1 ? (s.Resource[0] as string) : s.Resource,
  }));
}

/** The file's exact text: the document as 2-space JSON with a final newline. */
export function renderStaticIamPolicy(): string {
  return `${JSON.stringify(buildStaticIamPolicy(), null, 2)}\n`;
}

/** Replaces `Fn::Join` and `Ref` of pseudo parameters with plain strings; anything else is an error. */
function flattenIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flattenIntrinsics);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === "Ref") {
    const name = String(obj.Ref);
    const plain = PSEUDO[name];
    if (plain === undefined)
      throw new Error(`the policy references ${name}, which a static file cannot hold`);
    return plain;
  }
  if (keys.length === 1 && keys[0] === "Fn::Join") {
    const [sep, parts] = obj["Fn::Join"] as [string, unknown[]];
    return parts.map((p) => String(flattenIntrinsics(p))).join(sep);
  }
  if (keys.some((k) => k.startsWith("Fn::")))
    throw new Error(`the policy uses ${keys.join(", ")}, which a static file cannot hold`);
  return Object.fromEntries(keys.map((k) => [k, flattenIntrinsics(obj[k])]));
}

function main(): void {
  const path = join(root, IAM_POLICY_PATH);
  const text = renderStaticIamPolicy();
  if (process.argv.includes("--check")) {
    const current = readFileSync(path, "utf8");
    if (current !== text) {
      console.error(
        `${IAM_POLICY_PATH} is out of date with infra/lib/gannet-policy.ts: run ${IAM_POLICY_COMMAND}`,
      );
      process.exit(1);
    }
    console.log(`${IAM_POLICY_PATH} is up to date`);
    return;
  }
  writeFileSync(path, text);
  console.log(`wrote ${IAM_POLICY_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
