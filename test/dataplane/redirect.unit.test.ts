import type { RedirectActionConfig } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { buildRedirect } from "./redirect.ts";

const uri = { protocol: "HTTP", host: "www.example.com", port: 80, path: "/a/b", query: "x=1" };

describe("redirect actions (RedirectActionConfig)", () => {
  it.each<[string, RedirectActionConfig, { status: number; location: string }]>([
    [
      "HTTP to HTTPS, everything else kept",
      { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" },
      { status: 301, location: "https://www.example.com:443/a/b?x=1" },
    ],
    [
      "#{path} has no leading slash",
      { Path: "/new/#{path}", StatusCode: "HTTP_302" },
      { status: 302, location: "http://www.example.com:80/new/a/b?x=1" },
    ],
    [
      "host from #{host}",
      { Host: "example.#{host}", StatusCode: "HTTP_301" },
      { status: 301, location: "http://example.www.example.com:80/a/b?x=1" },
    ],
    [
      "query from #{query}",
      { Query: "#{query}&value=xyz", StatusCode: "HTTP_302" },
      { status: 302, location: "http://www.example.com:80/a/b?x=1&value=xyz" },
    ],
    [
      "#{protocol}, #{port} kept",
      { Protocol: "#{protocol}", Port: "#{port}", Host: "other.example.com", StatusCode: "HTTP_302" },
      { status: 302, location: "http://other.example.com:80/a/b?x=1" },
    ],
    [
      "an empty query",
      { Query: "", Path: "/", StatusCode: "HTTP_301" },
      { status: 301, location: "http://www.example.com:80/" },
    ],
    [
      "#{host} and #{port} in a path",
      { Path: "/#{host}/#{port}", StatusCode: "HTTP_302" },
      { status: 302, location: "http://www.example.com:80/www.example.com/80?x=1" },
    ],
  ])("%s", (_name, config, expected) => {
    expect(buildRedirect(config, uri)).toEqual(expected);
  });
});
