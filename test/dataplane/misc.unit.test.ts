import { describe, expect, it } from "vitest";
import { formatDataplaneLines } from "./admin.ts";
import { nameCovers, selectCertificate } from "./certs.ts";
import { splitTarget } from "./listener.ts";
import { isLoopbackTarget } from "./targets.ts";

describe("dataplane lines", () => {
  it("one line per listener, sorted by DNS name and port", () => {
    const lines = formatDataplaneLines({
      listeners: [
        { dnsName: "b-1.us-east-1.elb.amazonaws.com", port: 443, url: "https://127.2.0.2" },
        { dnsName: "b-1.us-east-1.elb.amazonaws.com", port: 80, url: "http://127.2.0.2" },
        { dnsName: "a-1.us-east-1.elb.amazonaws.com", port: 8080, url: "http://127.2.0.1:8080" },
      ],
    });
    expect(lines).toEqual([
      "dataplane: a-1.us-east-1.elb.amazonaws.com:8080 -> http://127.2.0.1:8080",
      "dataplane: b-1.us-east-1.elb.amazonaws.com:80 -> http://127.2.0.2",
      "dataplane: b-1.us-east-1.elb.amazonaws.com:443 -> https://127.2.0.2",
    ]);
  });
});

describe("certificates (SSL certificates for your Application Load Balancer: SNI, smart selection)", () => {
  it.each([
    ["*.example.com", "www.example.com", true],
    ["*.example.com", "a.b.example.com", false],
    ["*.example.com", "example.com", false],
    ["www.example.com", "WWW.example.com", true],
  ])("%s covers %s: %s", (name, host, expected) => {
    expect(nameCovers(name, host)).toBe(expected);
  });

  const certs = [
    { arn: "default", isDefault: true, domainNames: ["default.example.com"] },
    { arn: "wild", isDefault: false, domainNames: ["*.example.com"] },
    { arn: "exact", isDefault: false, domainNames: ["api.example.com", "api.example.org"] },
  ];
  it.each([
    ["api.example.com", "exact"],
    ["api.example.org", "exact"],
    ["www.example.com", "wild"],
    ["other.test", "default"],
    [undefined, "default"],
  ])("SNI %s gets %s", (name, arn) => {
    expect(selectCertificate(certs, name)?.arn).toBe(arn);
  });
});

describe("request targets", () => {
  it.each([
    ["/a/b?x=1&y", { path: "/a/b", query: "x=1&y" }],
    ["/", { path: "/", query: "" }],
    ["http://h.example.com/p?q", { path: "/p", query: "q" }],
    ["http://h.example.com", { path: "/", query: "" }],
  ])("%s", (url, expected) => {
    expect(splitTarget(url)).toEqual(expected);
  });
});

describe("loopback only", () => {
  it.each([
    ["127.1.250.3", true],
    ["127.0.0.1", true],
    ["10.0.0.1", false],
    ["192.168.1.1", false],
    ["::1", false],
    ["i-0123456789", false],
  ])("%s: %s", (ip, expected) => {
    expect(isLoopbackTarget(ip)).toBe(expected);
  });
});
