import { describe, expect, it } from "vitest";
import { checkAlbRegex, hostGlobRegex, hostRegex } from "./alb-regex.ts";

describe("hostRegex: an Ingress host as a regex that means the same under any reading of AWS's rules", () => {
  it.each([
    ["app.example.com", "^[aA][pP][pP]\\.[eE][xX][aA][mM][pP][lL][eE]\\.[cC][oO][mM](:[0-9]+)?$"],
    ["*.ex-1.io", "^[^.]+\\.[eE][xX]-1\\.[iI][oO](:[0-9]+)?$"],
  ])("%s → %s", (host, regex) => {
    expect(hostRegex(host)).toBe(regex);
  });

  it.each([
    ["app.example.com", "app.example.com", true],
    ["app.example.com", "APP.Example.COM", true],
    ["app.example.com", "app.example.com:8443", true],
    ["app.example.com", "app.example.com.evil.org", false],
    ["app.example.com", "xapp.example.com", false],
    ["app.example.com", "app.example.com:", false],
    ["*.example.com", "a.example.com", true],
    ["*.example.com", "A.EXAMPLE.com:80", true],
    ["*.example.com", "a.b.example.com", false],
    ["*.example.com", "example.com", false],
    ["*.example.com", ".example.com", false],
  ])("%s against Host %s → %s, whether anchored or searched, case-sensitive or not", (host, header, hit) => {
    const regex = hostRegex(host) ?? "";
    expect(new RegExp(regex).test(header)).toBe(hit);
    expect(new RegExp(`^(?:${regex})$`, "i").test(header)).toBe(hit);
  });

  it("is undefined when the regex would pass AWS's 128 characters (the caller keeps the glob)", () => {
    expect(hostRegex("abcdefghijklmnopqrstuvwxy.example.com")).toBeUndefined();
    expect(hostRegex("abcdefghijklmnopq.example.com")?.length).toBeLessThanOrEqual(128);
  });
});

describe("hostGlobRegex: an ALB host glob of a conditions annotation, port allowed", () => {
  it.each([
    ["*.Example.com", "a.b.example.com:8080", true],
    ["api-?.example.com", "API-7.example.com", true],
    ["api-?.example.com", "api-77.example.com", false],
  ])("%s against %s → %s", (glob, header, hit) => {
    const regex = hostGlobRegex(glob) ?? "";
    expect(new RegExp(regex).test(header)).toBe(hit);
    expect(new RegExp(`^(?:${regex})$`, "i").test(header)).toBe(hit);
  });
});

describe("checkAlbRegex: what AWS refuses in a rule regex", () => {
  it.each(["^/api/v[0-9]+/(users|orders)$", ".+Chrome.+", "^(.+)\\.example\\.com$", "[\\d]{3}", "a\\.b"])(
    "accepts %s",
    (regex) => {
      expect(checkAlbRegex(regex, 128)).toBeUndefined();
    },
  );

  it.each([
    ["", "must not be empty"],
    ["a".repeat(129), "AWS accepts at most 128"],
    ["(unclosed", "is not a regular expression"],
    ["^/(?=api)", "lookaheads"],
    ["^/(?!api)", "lookaheads"],
    ["(?<=a)b", "lookbehinds"],
    ["(?<!a)b", "lookbehinds"],
    ["(a)\\1", "backreference"],
    ["(?<n>a)\\k<n>", "backreference"],
    ["(?>a+)b", "atomic groups"],
    ["a++", "possessive quantifiers"],
    ["\\p{L}+", "Unicode character class"],
  ])("refuses %j: %s", (regex, why) => {
    expect(checkAlbRegex(regex, 128)).toContain(why);
  });

  it("does not mistake a character class or an escape for a construct", () => {
    expect(checkAlbRegex("[(?=]x", 128)).toBeUndefined();
    expect(checkAlbRegex("\\(\\?=x", 128)).toBeUndefined();
  });
});
