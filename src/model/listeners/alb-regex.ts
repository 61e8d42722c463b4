// Model stage: regular expressions for ALB `RegexValues` and rule transforms.
//
// What AWS documents about them: each condition regex is at most 128 characters, each transform regex
// and replacement at most 1,024; they support neither lookaheads, lookbehinds, backreferences, atomic
// groups, possessive quantifiers, subroutines, recursion nor Unicode classes (`\p{L}`). AWS does NOT
// document whether a condition regex must match the whole value or only a part of it, nor whether a
// host regex ignores case. So the regexes Gannet writes itself mean the same under every reading:
// anchored with `^…$`, letters spelled as `[aA]` classes, and only basic syntax (classes, `+`, `*`,
// `?`, a group). A Host header may carry a port (`app.example.com:8443`); ALB globs never match it,
// a regex with an optional `(:[0-9]+)?` does.

/** The longest condition regex AWS accepts. */
export const MAX_CONDITION_REGEX_LENGTH = 128;

/** The longest transform regex or replacement AWS accepts. */
export const MAX_TRANSFORM_REGEX_LENGTH = 1024;

const PORT_SUFFIX = "(:[0-9]+)?$";

/** A character of a lowercase host spelled so that it matches in any case and any regex reading. */
function hostChar(c: string): string {
  if (c >= "a" && c <= "z") return `[${c}${c.toUpperCase()}]`;
  if (c === ".") return "\\.";
  return c; // digits and "-"
}

/**
 * The ALB regex for an Ingress host (already lowercased, see `normalizeHost`): `app.example.com` and
 * the one-label wildcard `*.example.com`, any case, with or without a port. Undefined when the regex
 * would be longer than AWS accepts (the caller then falls back to a glob).
 */
export function hostRegex(host: string): string | undefined {
  const wildcard = host.startsWith("*.");
  const rest = wildcard ? host.slice(1) : host; // ".example.com" for a wildcard
  const body = [...rest].map(hostChar).join("");
  const regex = `^${wildcard ? "[^.]+" : ""}${body}${PORT_SUFFIX}`;
  return regex.length <= MAX_CONDITION_REGEX_LENGTH ? regex : undefined;
}

/**
 * The ALB regex for an ALB host glob (`*` any characters, `?` one, case-insensitive) written in a
 * `conditions.<name>` annotation, with an optional port like the Ingress hosts it joins; undefined when
 * too long.
 */
export function hostGlobRegex(glob: string): string | undefined {
  const body = [...glob.toLowerCase()]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : hostChar(c)))
    .join("");
  const regex = `^${body}${PORT_SUFFIX}`;
  return regex.length <= MAX_CONDITION_REGEX_LENGTH ? regex : undefined;
}

/** Constructs AWS documents as unsupported, found by scanning the pattern outside escapes and classes. */
const UNSUPPORTED: readonly [RegExp, string][] = [
  [/^\(\?[=!]/, "lookaheads"],
  [/^\(\?<[=!]/, "lookbehinds"],
  [/^\(\?>/, "atomic groups"],
  [/^\(\?(?:R|\d|[+-]\d|&|P>)/, "subroutines and recursion"],
  [/^[*+?}]\+/, "possessive quantifiers"],
];

/**
 * Why AWS would refuse `pattern` as a rule regex, or undefined when it is acceptable: too long, using a
 * construct AWS does not support, or not a regular expression (JavaScript's grammar: AWS documents none).
 */
export function checkAlbRegex(pattern: string, maxLength: number): string | undefined {
  if (pattern === "") return "must not be empty";
  if (pattern.length > maxLength)
    return `is ${pattern.length} characters long; AWS accepts at most ${maxLength}`;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") return "uses a backreference, which ALB regexes do not support";
      if (next === "p" || next === "P") {
        return "uses a Unicode character class (\\p{…}), which ALB regexes do not support";
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      continue;
    }
    const hit = UNSUPPORTED.find(([re]) => re.test(pattern.slice(i)));
    if (hit) return `uses ${hit[1]}, which ALB regexes do not support`;
  }
  try {
    new RegExp(pattern);
  } catch (err) {
    // AWS documents no grammar beyond what it refuses; Gannet checks with JavaScript's.
    return `is not a regular expression (${err instanceof Error ? err.message : String(err)})`;
  }
  return undefined;
}
