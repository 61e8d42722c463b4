// Model stage: the zod schema of `transforms.<name>` (AWS LBC's format): at most one url-rewrite and
// one host-header-rewrite, each with regex/replace rewrites within the ELBv2 API's limits.

import { z } from "zod";
import type { RuleTransform } from "../../../model/desired.ts";
import { checkAlbRegex, MAX_TRANSFORM_REGEX_LENGTH } from "../../../model/listeners/alb-regex.ts";
import { list, text } from "./json-annotation.ts";

const transformRegex = (what: string) =>
  text(what).check((ctx) => {
    const why = checkAlbRegex(ctx.value, MAX_TRANSFORM_REGEX_LENGTH);
    if (why) ctx.issues.push({ code: "custom", input: ctx.value, message: why });
  });

const rewriteConfig = z.object({
  rewrites: list(
    z.object({
      regex: transformRegex("the regular expression to match"),
      replace: text("the replacement, like /$1").max(MAX_TRANSFORM_REGEX_LENGTH, {
        error: `must be at most ${MAX_TRANSFORM_REGEX_LENGTH} characters`,
      }),
    }),
    'rewrites like [{"regex":"^/api/(.+)$","replace":"/$1"}]',
  ).min(1, { error: "must list at least one rewrite" }),
});

const TRANSFORM_TYPES = ["url-rewrite", "host-header-rewrite"] as const;

const transform = z
  .object(
    {
      type: z.enum(TRANSFORM_TYPES, {
        error: (iss) =>
          `${iss.input === undefined ? "is required" : `${JSON.stringify(iss.input)} is not a transform type`}: use "url-rewrite" or "host-header-rewrite"`,
      }),
      hostHeaderRewriteConfig: rewriteConfig.optional(),
      urlRewriteConfig: rewriteConfig.optional(),
    },
    { error: 'must be a JSON object like {"type":"url-rewrite","urlRewriteConfig":{"rewrites":[...]}}' },
  )
  .transform((t, ctx): RuleTransform => {
    const config = t.type === "url-rewrite" ? t.urlRewriteConfig : t.hostHeaderRewriteConfig;
    if (!config) {
      const key = t.type === "url-rewrite" ? "urlRewriteConfig" : "hostHeaderRewriteConfig";
      ctx.addIssue({ code: "custom", path: [key], message: `is required for a ${t.type} transform` });
      return z.NEVER;
    }
    return { type: t.type, rewrites: config.rewrites };
  });

/** Schema of a `transforms.<name>` annotation value: a JSON array, at most one transform of each type. */
export const transformsSchema = list(
  transform,
  'transforms like [{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.+)$","replace":"/$1"}]}}]',
).check((ctx) => {
  const seen = new Set<string>();
  ctx.value.forEach((t, i) => {
    if (seen.has(t.type)) {
      ctx.issues.push({
        code: "custom",
        input: t,
        path: [i, "type"],
        message: `repeats ${t.type}: a rule takes at most one url-rewrite and one host-header-rewrite`,
      });
    }
    seen.add(t.type);
  });
});
