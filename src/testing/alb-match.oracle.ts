// Tests only: how an ALB matches one rule condition against a request, as AWS documents
// it. Globs: `*` any characters, `?` one; host, header and query values case-insensitive, paths
// case-sensitive; a host glob is compared with the whole Host header, so it never matches one with a
// port. Regexes (RegexValues): AWS does not document whether they must match the whole value nor
// whether host regexes ignore case, so every evaluation takes a `RegexReading` and the tests require
// the same answer under both readings.

import type { RuleCondition } from "../model/desired.ts";

/** A request as a listener sees it. Header names are matched case-insensitively. */
export interface AlbRequest {
  readonly host: string;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Query parameters in order, as decoded pairs. */
  readonly query?: readonly (readonly [string, string])[];
  readonly sourceIp?: string;
}

/**
 * How a regex value is applied: `search` finds it anywhere, case-sensitively; `whole` requires it to
 * match the entire value, ignoring case. Gannet's own regexes must mean the same under both.
 */
export type RegexReading = "search" | "whole";

/** Both readings, for tests that check an answer does not depend on the undocumented one. */
export const REGEX_READINGS: readonly RegexReading[] = ["search", "whole"];

function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, ignoreCase ? "is" : "s").test(value);
}

function regexMatches(pattern: string, value: string, reading: RegexReading): boolean {
  return reading === "search"
    ? new RegExp(pattern).test(value)
    : new RegExp(`^(?:${pattern})$`, "i").test(value);
}

function ipv4(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function inCidr(address: string, cidr: string): boolean {
  const [network = "", bits = "32"] = cidr.split("/");
  const a = ipv4(address);
  const n = ipv4(network);
  if (a === undefined || n === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(n / size);
}

function anyValue(
  c: { values: readonly string[]; regexValues?: readonly string[] },
  value: string | undefined,
  ignoreCase: boolean,
  reading: RegexReading,
): boolean {
  if (value === undefined) return false;
  if (c.regexValues?.length) return c.regexValues.some((r) => regexMatches(r, value, reading));
  return c.values.some((v) => globMatches(v, value, ignoreCase));
}

/** True when `condition` holds for `request`. */
export function conditionMatches(
  condition: RuleCondition,
  request: AlbRequest,
  reading: RegexReading,
): boolean {
  switch (condition.field) {
    case "host-header":
      return anyValue(condition, request.host, true, reading);
    case "path-pattern":
      return anyValue(condition, request.path, false, reading);
    case "http-header": {
      const name = condition.headerName.toLowerCase();
      const header = Object.entries(request.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
      return anyValue(condition, header, true, reading);
    }
    case "http-request-method":
      return condition.values.includes(request.method ?? "GET");
    case "query-string":
      return condition.values.some((want) =>
        (request.query ?? []).some(
          ([k, v]) =>
            (want.key === undefined || globMatches(want.key, k, true)) && globMatches(want.value, v, true),
        ),
      );
    case "source-ip":
      return condition.values.some((cidr) => inCidr(request.sourceIp ?? "", cidr));
  }
}
