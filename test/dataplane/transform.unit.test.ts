import type { RuleTransform } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { applyTransforms } from "./transform.ts";

const hostRewrite = (Regex: string, Replace: string): RuleTransform => ({
  Type: "host-header-rewrite",
  HostHeaderRewriteConfig: { Rewrites: [{ Regex, Replace }] },
});
const urlRewrite = (Regex: string, Replace: string): RuleTransform => ({
  Type: "url-rewrite",
  UrlRewriteConfig: { Rewrites: [{ Regex, Replace }] },
});

describe("rule transforms (Transforms for listener rules)", () => {
  it.each([
    [
      "the host example: mywebsite-example.com to an internal endpoint",
      [hostRewrite("^mywebsite-(.+).com$", "internal.dev.$1.myweb.com")],
      { host: "mywebsite-example.com", path: "/project-a", query: "" },
      { host: "internal.dev.example.myweb.com", path: "/project-a", query: "" },
    ],
    [
      "the URL example: a path to a query string",
      [urlRewrite("^/dp/([A-Za-z0-9]+)/?$", "/product.php?id=$1")],
      { host: "www.example.com", path: "/dp/B09G3HRMVB", query: "" },
      { host: "www.example.com", path: "/product.php", query: "id=B09G3HRMVB" },
    ],
    [
      "no match: the request as it was",
      [urlRewrite("^/dp/(.+)$", "/x/$1"), hostRewrite("^nomatch$", "y")],
      { host: "a.example.com", path: "/other", query: "k=v" },
      { host: "a.example.com", path: "/other", query: "k=v" },
    ],
    [
      "a prefix removed (the URL includes its query)",
      [urlRewrite("^/api/(.*)$", "/$1")],
      { host: "a.example.com", path: "/api/users", query: "page=2" },
      { host: "a.example.com", path: "/users", query: "page=2" },
    ],
    [
      "both transforms",
      [hostRewrite("example\\.com", "example.org"), urlRewrite("^/old", "/new")],
      { host: "a.example.com", path: "/old/x", query: "" },
      { host: "a.example.org", path: "/new/x", query: "" },
    ],
  ])("%s", (_name, transforms, input, expected) => {
    expect(applyTransforms(transforms, input)).toEqual({ ok: true, request: expected });
  });

  it.each([
    ["a URL that no longer starts with /", [urlRewrite("^/(.*)$", "$1")], /invalid URL/],
    ["a host with a space", [hostRewrite("^(.*)$", "a b")], /invalid host/],
  ])("fails (HTTP 500) on %s", (_name, transforms, reason) => {
    const result = applyTransforms(transforms, { host: "a.example.com", path: "/x", query: "" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("leaves a request without transforms alone", () => {
    const req = { host: "a", path: "/", query: "" };
    expect(applyTransforms(undefined, req)).toEqual({ ok: true, request: req });
  });
});
