// Model stage: building blocks of the annotation value schemas (zod), each with a message that says what
// is wrong and what to write instead; `parseAnnotationValue` adds the value received.

import { z } from "zod";
import { truncateValue } from "../../../model/problems.ts";

/** The outcome of parsing one annotation value. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** Parses `raw` with `schema`; on failure the message ends with the value received. */
export function parseAnnotationValue<T>(schema: z.ZodType<T>, raw: string): ParseResult<T> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues[0]?.message ?? "is invalid";
  return { ok: false, message: `${message}; got ${JSON.stringify(truncateValue(raw))}` };
}

function quoteList(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 2 ? quoted.join(" or ") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/** One of the given words, exactly as written (AWS LBC is case-sensitive too). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: () => `must be ${quoteList(values)}` });
}

/** A whole number written in decimal, within [min, max]. */
export function intInRange(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^[+-]?\d{1,9}$/, { error: message })
    .transform(Number)
    .pipe(z.number().min(min, { error: message }).max(max, { error: message }));
}

/** A comma-separated list: items trimmed, empty items dropped, at least one item. */
export function commaList<T>(item: z.ZodType<T, string>, what: string) {
  return z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== ""),
    )
    .pipe(z.array(item).min(1, { error: `must list at least one ${what}, separated by commas` }));
}

const ipv4Cidr = z.cidrv4();
const ipv6Cidr = z.cidrv6();

/** True when an IPv4 CIDR has no bits set beyond its prefix (`10.0.0.0/8`, not `10.0.0.1/8`). */
function isIpv4Network(cidr: string): boolean {
  const [address = "", bits = "0"] = cidr.split("/");
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return value % 2 ** (32 - Number(bits)) === 0;
}

/** The 128-bit value of an IPv6 address (any valid spelling). */
function ipv6Value(address: string): bigint {
  // The WHATWG URL parser expands and validates IPv6 literals; its output is the compressed form.
  const compressed = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const [head = "", tail = ""] = compressed.includes("::") ? compressed.split("::") : [compressed, ""];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(Number.parseInt(g, 16)), 0n);
}

/** An IPv6 CIDR in the form AWS stores it: lowercase, zeros compressed (`2001:DB8:0::/32` → `2001:db8::/32`). */
export function canonicalIpv6Cidr(cidr: string): string {
  const [address = "", bits = "128"] = cidr.split("/");
  return `${new URL(`http://[${address}]`).hostname.slice(1, -1)}/${bits}`;
}

function isIpv6Network(cidr: string): boolean {
  const [address = "", bits = "128"] = cidr.split("/");
  return ipv6Value(address) % 2n ** BigInt(128 - Number(bits)) === 0n;
}

/** One IPv4 or IPv6 CIDR, a network address in the form security group rules store it. */
export const cidrSchema = z
  .string()
  .check((ctx) => {
    const cidr = ctx.value;
    if (ipv6Cidr.safeParse(cidr).success) {
      if (!isIpv6Network(cidr)) {
        ctx.issues.push({
          code: "custom",
          input: cidr,
          message: `${JSON.stringify(cidr)} has host bits set: write its network address`,
        });
      }
      return;
    }
    if (!ipv4Cidr.safeParse(cidr).success) {
      ctx.issues.push({
        code: "custom",
        input: cidr,
        message: `${JSON.stringify(cidr)} is not an IPv4 or IPv6 CIDR like 10.0.0.0/8 or ::/0`,
      });
    } else if (!isIpv4Network(cidr)) {
      ctx.issues.push({
        code: "custom",
        input: cidr,
        message: `${JSON.stringify(cidr)} has host bits set: write its network address`,
      });
    }
  })
  .transform((cidr) => (cidr.includes(":") ? canonicalIpv6Cidr(cidr) : cidr));

/** Health check matcher codes: single codes, comma lists and `a-b` ranges within [min, max]. */
export function codeList(min: number, max: number, what: string) {
  return z
    .string()
    .trim()
    .refine(
      (v) =>
        v !== "" &&
        v.split(",").every((part) => {
          const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part.trim());
          if (!m) return false;
          const lo = Number(m[1]);
          const hi = m[2] === undefined ? lo : Number(m[2]);
          return lo >= min && hi <= max && lo <= hi;
        }),
      { error: `must be ${what}` },
    )
    .transform((v) =>
      v
        .split(",")
        .map((p) => p.trim())
        .join(","),
    );
}
