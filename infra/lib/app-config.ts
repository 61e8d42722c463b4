// Infrastructure: the app's settings, read from CDK context values (`cdk deploy -c key=value` or
// cdk.json) and checked at the edge, so a bad value fails the synth naming the key, the value and the fix.

import { z } from "zod";
import type { PodCredentials } from "./gannet-in-cluster-controller.ts";

/** What the app deploys. */
export interface GannetAppConfig {
  readonly flavour: "lambda" | "in-cluster";
  /** The existing EKS cluster. */
  readonly clusterName: string;
  /** Hosted zones whose records Gannet manages. */
  readonly hostedZoneIds: readonly string[];
  /** A role kubectl may assume (a cluster admin): needed to apply the Kubernetes objects. */
  readonly kubectlRoleArn?: string;
  readonly oidcProviderArn?: string;
  readonly gannetClusterName?: string;
  readonly ownerId?: string;
  readonly vpcId?: string;
  /** in-cluster: the controller's image. */
  readonly image?: string;
  readonly credentials: PodCredentials;
  /** lambda: minutes between scheduled invocations and between resyncs. */
  readonly scheduleMinutes: number;
  readonly resyncMinutes: number;
  readonly alarmTopicArn?: string;
  /** lambda: the bundle directory (`npm run bundle:lambda` writes dist/lambda, the default). */
  readonly lambdaBundleDir?: string;
  readonly stackName: string;
}

/** A context value that cannot be used; the message names it and the fix. */
export class GannetContextError extends Error {
  override readonly name = "GannetContextError";
}

const minutes = (fallback: number) =>
  z.coerce
    .number({ error: "must be a number of minutes" })
    .int({ error: "must be a whole number of minutes" })
    .min(1, { error: "must be at least 1" })
    .default(fallback);

const schema = z
  .object({
    flavour: z.enum(["lambda", "in-cluster"], { error: 'must be "lambda" or "in-cluster"' }),
    clusterName: z
      .string({ error: "is required: the name of your EKS cluster" })
      .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, {
        error: "must be an EKS cluster name (letters, digits, - and _)",
      }),
    hostedZoneIds: z
      .string({
        error: "is required: the hosted zone ids Gannet manages, comma-separated (Z0123456789ABC,Z0456...)",
      })
      .transform((v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      )
      .pipe(
        z
          .array(
            z.string().regex(/^[A-Z0-9]{1,32}$/, { error: "must be hosted zone ids such as Z0123456789ABC" }),
          )
          .min(1),
      ),
    kubectlRoleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, { error: "must be an IAM role ARN" })
      .optional(),
    oidcProviderArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/, { error: "must be an IAM OIDC provider ARN" })
      .optional(),
    gannetClusterName: z.string().optional(),
    ownerId: z.string().optional(),
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, { error: "must be a VPC id such as vpc-0abc1234" })
      .optional(),
    image: z.string().optional(),
    credentials: z
      .enum(["pod-identity", "irsa"], { error: 'must be "pod-identity" or "irsa"' })
      .default("pod-identity"),
    scheduleMinutes: minutes(1),
    resyncMinutes: minutes(30),
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:/, { error: "must be an SNS topic ARN" })
      .optional(),
    lambdaBundleDir: z.string().optional(),
    stackName: z.string().optional(),
  })
  .refine((c) => c.flavour !== "in-cluster" || c.image, {
    path: ["image"],
    message: "is required for the in-cluster flavour: the controller image you pushed (docker build .)",
  })
  .refine((c) => c.credentials !== "irsa" || c.oidcProviderArn, {
    path: ["oidcProviderArn"],
    message: "is required with credentials=irsa: the ARN of the cluster's IAM OIDC provider",
  });

/** The context keys the app reads. */
export const CONTEXT_KEYS = [
  "flavour",
  "clusterName",
  "hostedZoneIds",
  "kubectlRoleArn",
  "oidcProviderArn",
  "gannetClusterName",
  "ownerId",
  "vpcId",
  "image",
  "credentials",
  "scheduleMinutes",
  "resyncMinutes",
  "alarmTopicArn",
  "lambdaBundleDir",
  "stackName",
] as const;

/** Reads and checks the app's context values (`tryGetContext` of each key). */
export function readAppConfig(get: (key: string) => unknown): GannetAppConfig {
  const raw = Object.fromEntries(
    CONTEXT_KEYS.map((k) => [k, get(k)]).filter(([, v]) => v !== undefined && v !== ""),
  ) as Record<string, unknown>;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `-c ${String(i.path[0])}=…: ${i.message}; got ${JSON.stringify(raw[String(i.path[0])])}`,
    );
    throw new GannetContextError(`invalid context values:\n  ${lines.join("\n  ")}`);
  }
  const c = parsed.data;
  return {
    ...(Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as typeof c),
    stackName: c.stackName ?? `Gannet-${c.clusterName}`,
  } as GannetAppConfig;
}
