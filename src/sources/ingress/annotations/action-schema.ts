// Model stage: the zod schema of `actions.<name>` (AWS LBC's format): fixed-response, redirect, and
// forward (the simplified top-level targetGroupARN, or forwardConfig with weighted target groups and
// stickiness), checked against the ELBv2 API's limits.

import { z } from "zod";
import { defined, list, optionalText, text } from "./json-annotation.ts";

const CONTENT_TYPES = [
  "text/plain",
  "text/css",
  "text/html",
  "application/javascript",
  "application/json",
] as const;

const fixedResponseConfig = z.object({
  statusCode: text('an HTTP status code as a string, like "503"').regex(/^[245]\d\d$/, {
    error: 'must be a 2XX, 4XX or 5XX HTTP status code written as a string, like "503"',
  }),
  contentType: z.enum(CONTENT_TYPES, { error: `must be one of ${CONTENT_TYPES.join(", ")}` }).optional(),
  messageBody: optionalText("the response body").refine((v) => v === undefined || v.length <= 1024, {
    error: "must be at most 1,024 characters",
  }),
});

const redirectConfig = z.object({
  statusCode: z.enum(["HTTP_301", "HTTP_302"], {
    error: (iss) => `${iss.input === undefined ? "is required:" : "must be"} "HTTP_301" or "HTTP_302"`,
  }),
  protocol: optionalText('"HTTP", "HTTPS" or "#{protocol}"').refine(
    (v) => v === undefined || ["HTTP", "HTTPS", "#{protocol}"].includes(v),
    { error: 'must be "HTTP", "HTTPS" or "#{protocol}"' },
  ),
  port: optionalText('a port like "443", or "#{port}"').refine(
    (v) => v === undefined || v === "#{port}" || (/^[1-9]\d{0,4}$/.test(v) && Number(v) <= 65535),
    { error: 'must be a port from "1" to "65535" (a string), or "#{port}"' },
  ),
  host: optionalText('a host name, or "#{host}"').refine(
    (v) => v === undefined || (v.length >= 1 && v.length <= 128),
    { error: "must be 1 to 128 characters" },
  ),
  path: optionalText('a path beginning with "/", like "/#{path}"').refine(
    (v) => v === undefined || (v.startsWith("/") && v.length <= 128),
    { error: 'must begin with "/" and be at most 128 characters, like "/new/#{path}"' },
  ),
  query: optionalText('a query without the leading "?", like "#{query}"').refine(
    (v) => v === undefined || (!v.startsWith("?") && v.length <= 128),
    { error: 'must be at most 128 characters, without the leading "?"' },
  ),
});

const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;

const targetGroupArn = z.string({ error: "must be a target group ARN (a string)" }).regex(TARGET_GROUP_ARN, {
  error:
    "must be a target group ARN like arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/name/0123456789abcdef",
});

const weight = z
  .number({ error: "must be a whole number from 0 to 999" })
  .int({ error: "must be a whole number from 0 to 999" })
  .min(0, { error: "must be a whole number from 0 to 999" })
  .max(999, { error: "must be a whole number from 0 to 999" })
  .optional();

/** A Service port as AWS LBC reads it: a number, or a string holding a number or a port name. */
const servicePort = z
  .union([z.number().int().min(1).max(65535), z.string().min(1)], {
    error: 'must be the Service port number (80 or "80") or its name ("http")',
  })
  .transform((p) => (typeof p === "string" && /^\d+$/.test(p) ? Number(p) : p));

const targetGroupTuple = z
  .object({
    targetGroupARN: targetGroupArn.optional(),
    targetGroupName: optionalText("a target group name"),
    serviceName: optionalText("the name of a Service in the Ingress's namespace"),
    servicePort: servicePort.optional(),
    weight,
  })
  .check((ctx) => {
    const t = ctx.value;
    const byArn = t.targetGroupARN !== undefined || t.targetGroupName !== undefined;
    const fail = (message: string, path: string[] = []) =>
      ctx.issues.push({ code: "custom", input: t, message, path });
    if (t.targetGroupName !== undefined) {
      fail(
        "is not supported by Gannet: name the target group by targetGroupARN, or forward to a Service with serviceName and servicePort",
        ["targetGroupName"],
      );
    } else if (!byArn && t.serviceName === undefined) {
      fail("needs serviceName and servicePort, or targetGroupARN");
    } else if (byArn && t.serviceName !== undefined) {
      fail("must name either serviceName or targetGroupARN, not both");
    } else if (t.serviceName !== undefined && t.servicePort === undefined) {
      fail("is required with serviceName: the Service port number or name", ["servicePort"]);
    }
  });

const stickiness = z
  .object({
    enabled: z.boolean({ error: "must be true or false" }).optional(),
    durationSeconds: z
      .number({ error: "must be a whole number of seconds from 1 to 604800" })
      .int({ error: "must be a whole number of seconds from 1 to 604800" })
      .min(1, { error: "must be a whole number of seconds from 1 to 604800" })
      .max(604800, { error: "must be a whole number of seconds from 1 to 604800" })
      .optional(),
  })
  .check((ctx) => {
    if (ctx.value.enabled === true && ctx.value.durationSeconds === undefined) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: ["durationSeconds"],
        message: "is required when stickiness is enabled: seconds from 1 to 604800",
      });
    }
  });

const forwardConfig = z
  .object({
    targetGroups: list(targetGroupTuple, "the target groups to forward to")
      .min(1, { error: "must list at least one target group" })
      .max(5, { error: "must list at most 5 target groups (the ALB quota per action)" }),
    targetGroupStickinessConfig: stickiness.optional(),
  })
  .check((ctx) => {
    const groups = ctx.value.targetGroups;
    if (groups.length < 2) return;
    groups.forEach((g, i) => {
      if (g.weight === undefined) {
        ctx.issues.push({
          code: "custom",
          input: g,
          path: ["targetGroups", i, "weight"],
          message: "is required when forwarding to several target groups: a whole number from 0 to 999",
        });
      }
    });
  });

/** A forward target: a Service port of the Ingress's namespace, or a target group by ARN. */
export type ForwardMember =
  | { readonly serviceName: string; readonly servicePort: number | string; readonly weight?: number }
  | { readonly targetGroupArn: string; readonly weight?: number };

/** An `actions.<name>` value, normalized (AWS LBC's simplified forward schema becomes forwardConfig). */
export type ActionAnnotation =
  | {
      readonly type: "fixed-response";
      readonly statusCode: string;
      readonly contentType?: string;
      readonly messageBody?: string;
    }
  | {
      readonly type: "redirect";
      readonly statusCode: "HTTP_301" | "HTTP_302";
      readonly protocol?: string;
      readonly port?: string;
      readonly host?: string;
      readonly path?: string;
      readonly query?: string;
    }
  | {
      readonly type: "forward";
      readonly members: readonly ForwardMember[];
      readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
    };

const ACTION_TYPES = ["fixed-response", "redirect", "forward"] as const;

/** Schema of an `actions.<name>` annotation value. */
export const actionSchema = z
  .object(
    {
      type: z.enum(ACTION_TYPES, {
        error: (iss) =>
          `${iss.input === undefined ? "is required" : `${JSON.stringify(iss.input)} is not an action type`}: use "fixed-response", "redirect" or "forward"`,
      }),
      targetGroupARN: targetGroupArn.optional(),
      targetGroupName: optionalText("a target group name"),
      fixedResponseConfig: fixedResponseConfig.optional(),
      redirectConfig: redirectConfig.optional(),
      forwardConfig: forwardConfig.optional(),
    },
    {
      error:
        'must be a JSON object like {"type":"fixed-response","fixedResponseConfig":{"statusCode":"503"}}',
    },
  )
  .transform((a, ctx): ActionAnnotation => {
    const fail = (message: string, path: string[] = []) => {
      ctx.addIssue({ code: "custom", message, path });
      return z.NEVER;
    };
    if (a.type === "fixed-response") {
      if (!a.fixedResponseConfig)
        return fail("is required for a fixed-response action", ["fixedResponseConfig"]);
      return defined({ type: a.type, ...a.fixedResponseConfig });
    }
    if (a.type === "redirect") {
      if (!a.redirectConfig) return fail("is required for a redirect action", ["redirectConfig"]);
      return defined({ type: a.type, ...a.redirectConfig });
    }
    if (a.targetGroupName !== undefined) {
      return fail("is not supported by Gannet: use targetGroupARN", ["targetGroupName"]);
    }
    if (a.targetGroupARN !== undefined && a.forwardConfig) {
      return fail("must be given alone: use either targetGroupARN or forwardConfig", ["targetGroupARN"]);
    }
    if (a.targetGroupARN !== undefined)
      return { type: "forward", members: [{ targetGroupArn: a.targetGroupARN }] };
    if (!a.forwardConfig)
      return fail("is required for a forward action (or targetGroupARN)", ["forwardConfig"]);
    const members = a.forwardConfig.targetGroups.map(
      (t): ForwardMember =>
        t.targetGroupARN !== undefined
          ? defined({ targetGroupArn: t.targetGroupARN, weight: t.weight })
          : defined({ serviceName: t.serviceName ?? "", servicePort: t.servicePort ?? "", weight: t.weight }),
    );
    const sticky = a.forwardConfig.targetGroupStickinessConfig;
    return sticky?.enabled
      ? {
          type: "forward",
          members,
          stickiness: { enabled: true, durationSeconds: sticky.durationSeconds ?? 1 },
        }
      : { type: "forward", members };
  });
