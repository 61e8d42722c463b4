import { describe, expect, it } from "vitest";
import { path } from "../../../testing/test-fixtures.ts";
import { normalizeHost, sortPaths, translatePath } from "./paths.ts";

describe("translatePath", () => {
  it.each([
    ["/foo", "Exact", ["/foo"]],
    ["/foo/", "Exact", ["/foo/"]],
    ["/", "Exact", ["/"]],
    ["/", "Prefix", ["/*"]],
    ["/foo", "Prefix", ["/foo", "/foo/*"]],
    ["/foo/", "Prefix", ["/foo", "/foo/*"]],
    ["/foo/bar", "Prefix", ["/foo/bar", "/foo/bar/*"]],
    ["/static/*.css", "ImplementationSpecific", ["/static/*.css"]],
    ["/img?.png", "ImplementationSpecific", ["/img?.png"]],
    ["/foo", "ImplementationSpecific", ["/foo"]],
    [undefined, "ImplementationSpecific", ["/*"]],
    ["", "ImplementationSpecific", ["/*"]],
  ])("%j %s → %j", (p, pathType, values) => {
    expect(translatePath(p, pathType)).toEqual({ ok: true, values });
  });

  it.each([
    [undefined, "Prefix", 'the path must be set and begin with "/" for pathType Prefix'],
    ["", "Exact", 'must be set and begin with "/" for pathType Exact'],
    ["foo", "Prefix", 'must begin with "/"'],
    ["foo", "ImplementationSpecific", 'must begin with "/"'],
    ["/foo*", "Prefix", "must not contain the wildcards"],
    ["/fo?", "Exact", "use pathType ImplementationSpecific"],
    ["/foo", "Regex", 'pathType must be "Exact", "Prefix" or "ImplementationSpecific"'],
    ["/a b", "Exact", "allows only letters, digits"],
    [`/${"a".repeat(126)}`, "Prefix", "at most 128 characters"],
  ])("%j %s → problem %j", (p, pathType, message) => {
    const result = translatePath(p, pathType);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });
});

describe("sortPaths (AWS LBC priority within one rule)", () => {
  it.each([
    {
      name: "Exact first, then Prefix longest first, then ImplementationSpecific",
      paths: [
        path("/", "Prefix"),
        path("/img/*", "ImplementationSpecific"),
        path("/a/b", "Prefix"),
        path("/x", "Exact"),
        path("/abc", "Prefix"),
      ],
      order: [3, 2, 4, 0, 1],
    },
    {
      name: "ties keep the written order",
      paths: [path("/bb", "Prefix"), path("/aa", "Prefix"), path("/z", "Exact"), path("/y", "Exact")],
      order: [2, 3, 0, 1],
    },
    {
      name: "ImplementationSpecific keeps the written order whatever its length",
      paths: [path("/a", "ImplementationSpecific"), path("/long/path", "ImplementationSpecific")],
      order: [0, 1],
    },
  ])("$name", ({ paths, order }) => {
    expect(sortPaths(paths).map((p) => p.index)).toEqual(order);
  });
});

describe("normalizeHost", () => {
  it.each([
    ["app.example.com", "app.example.com"],
    ["App.Example.COM", "app.example.com"],
    ["*.example.com", "*.example.com"],
    ["a-b.c0.example", "a-b.c0.example"],
    ["localhost", "localhost"],
  ])("%s → %s", (host, expected) => {
    expect(normalizeHost(host)).toBe(expected);
  });

  it.each([
    "-app.example.com",
    "app-.example.com",
    "app..example.com",
    "app.*.com",
    "*",
    "a_b.example.com",
    "app.example.com.",
    `${"a".repeat(64)}.com`,
  ])("%s is refused", (host) => {
    expect(normalizeHost(host)).toBeUndefined();
  });
});
