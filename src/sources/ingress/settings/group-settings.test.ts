import { describe, expect, it } from "vitest";
import type { Ingress } from "../../../model/kube-objects.ts";
import { alb, ingress } from "../../../testing/test-fixtures.ts";
import { readMemberAnnotations } from "../annotations/annotations.ts";
import { mergeGroupSettings } from "./group-settings.ts";

function merge(...members: Ingress[]) {
  return mergeGroupSettings(
    "shop",
    members.map((i) => ({ ingress: i, annotations: readMemberAnnotations(i) })),
  );
}
const member = (name: string, annotations: Record<string, string> = {}) =>
  ingress(name, { annotations: alb(annotations) });
const joined = (m: ReturnType<typeof merge>) => m.members.map((x) => x.ingress.metadata.name);

describe("mergeGroupSettings", () => {
  it("uses AWS LBC's defaults when no member sets anything", () => {
    const merged = merge(member("a"));
    expect(merged.settings).toEqual({
      scheme: "internal",
      ipAddressType: "ipv4",
      inboundCidrs: ["0.0.0.0/0"],
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArns: [],
      tags: {},
    });
    expect(merged.members).toEqual([{ ingress: member("a"), listenPorts: [{ protocol: "HTTP", port: 80 }] }]);
    expect(merged.halt).toBeUndefined();
  });

  it("opens ::/0 too by default for dualstack", () => {
    expect(merge(member("a", { "ip-address-type": "dualstack" })).settings.inboundCidrs).toEqual([
      "0.0.0.0/0",
      "::/0",
    ]);
  });

  it("lets a member that does not set a value agree with the one that does", () => {
    const merged = merge(
      member("a"),
      member("b", { scheme: "internet-facing" }),
      member("c", { scheme: "internet-facing" }),
    );
    expect(merged.settings.scheme).toBe("internet-facing");
    expect(joined(merged)).toEqual(["a", "b", "c"]);
    expect(merged.problems).toEqual([]);
  });

  it.each([
    ["scheme", "internet-facing", "internal"],
    ["ip-address-type", "dualstack", "ipv4"],
    ["subnets", "public-a,public-b", "public-a,public-c"],
    ["inbound-cidrs", "10.0.0.0/8", "10.0.0.0/8,192.168.0.0/16"],
    ["load-balancer-name", "shop", "shop-2"],
    ["ssl-policy", "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-2016-08"],
  ])("a later member that conflicts on %s is left out and changes nothing", (name, first, later) => {
    const merged = merge(member("a", { [name]: first }), member("b", { [name]: later }), member("c"));
    expect(joined(merged)).toEqual(["a", "c"]);
    expect(merged.halt).toBeUndefined();
    expect(merged.problems).toEqual([
      {
        ingress: "apps/b",
        field: `metadata.annotations['alb.ingress.kubernetes.io/${name}']`,
        value: later,
        message: expect.stringContaining("set by apps/a, the oldest member that sets it"),
        scope: "member",
      },
    ]);
    expect(merge(member("a", { [name]: first })).settings).toEqual(merged.settings);
  });

  it("keeps the older member's setting when a newer one, first in name order, disagrees", () => {
    const older = ingress("z", { annotations: alb({ scheme: "internal" }), created: "2026-01-01T00:00:00Z" });
    const newer = ingress("a", {
      annotations: alb({ scheme: "internet-facing" }),
      created: "2026-06-01T00:00:00Z",
    });
    const merged = merge(newer, older);
    expect(merged.settings.scheme).toBe("internal");
    expect(joined(merged)).toEqual(["z"]);
    expect(merged.problems).toEqual([
      expect.objectContaining({ ingress: "apps/a", message: expect.stringContaining("set by apps/z") }),
    ]);
  });

  it.each([
    ["no TLS", {}, {}, [80]],
    ["spec.tls hosts", {}, { tls: true }, [80, 443]],
    [
      "certificate-arn (AWS LBC's default: HTTPS only)",
      { "certificate-arn": "arn:aws:acm:us-east-1:111122223333:certificate/c" },
      {},
      [443],
    ],
  ])("defaults listen-ports for %s", (_, annotations, o, ports) => {
    const tls = (o as { tls?: boolean }).tls ? { tls: [{ hosts: ["a.example.com"] }] } : {};
    const i = ingress("a", { annotations: alb(annotations) });
    const merged = merge({ ...i, spec: { ...i.spec, ...tls } });
    expect(merged.members[0]?.listenPorts.map((p) => p.port)).toEqual(ports);
  });

  it("agrees on lists whatever their order", () => {
    const merged = merge(
      member("a", { "inbound-cidrs": "10.0.0.0/8,::/0" }),
      member("b", { "inbound-cidrs": "::/0, 10.0.0.0/8" }),
    );
    expect(joined(merged)).toEqual(["a", "b"]);
  });

  it("unions listen ports and keeps each member's own ports", () => {
    const merged = merge(
      member("a", { "listen-ports": '[{"HTTP":80}]' }),
      member("b", { "listen-ports": '[{"HTTP":80},{"HTTPS":443}]' }),
      member("c"),
    );
    expect(merged.members.map((m) => m.listenPorts.map((p) => p.port))).toEqual([[80], [80, 443], [80]]);
  });

  it.each([
    [
      "explicitly",
      { "listen-ports": '[{"HTTPS":80}]' },
      "listens on port 80 with HTTPS, but apps/a serves port 80 with HTTP",
    ],
    ["by default", {}, "listens on port 80 with HTTP by default, but apps/a serves port 80 with HTTPS"],
  ])("a member using a port with another protocol (%s) is left out", (_, annotations, message) => {
    const firstPorts = "listen-ports" in annotations ? '[{"HTTP":80}]' : '[{"HTTPS":80}]';
    const merged = merge(member("a", { "listen-ports": firstPorts }), member("b", annotations));
    expect(joined(merged)).toEqual(["a"]);
    expect(merged.problems[0]?.message).toContain(message);
  });

  it("merges certificate ARNs in group order without duplicates", () => {
    const arn = (n: number) => `arn:aws:acm:eu-west-1:123456789012:certificate/${n}`;
    const merged = merge(
      member("a", { "certificate-arn": `${arn(2)},${arn(1)}` }),
      member("b", { "certificate-arn": `${arn(1)},${arn(3)}` }),
    );
    expect(merged.settings.certificateArns).toEqual([arn(2), arn(1), arn(3)]);
  });

  it("merges tags; a conflicting value is ignored with a rule Problem", () => {
    const merged = merge(
      member("a", { tags: "team=shop,env=prod" }),
      member("b", { tags: "team=cart,owner=b" }),
    );
    expect(merged.settings.tags).toEqual({ team: "shop", env: "prod", owner: "b" });
    expect(joined(merged)).toEqual(["a", "b"]);
    expect(merged.problems).toEqual([
      {
        ingress: "apps/b",
        field: "metadata.annotations['alb.ingress.kubernetes.io/tags']",
        value: "team=cart,owner=b",
        message: expect.stringContaining('tag "team" is already "shop" from apps/a'),
        scope: "rule",
      },
    ]);
  });

  describe("invalid members", () => {
    it("leaves out a member with an invalid value when another member states that setting", () => {
      const merged = merge(member("a", { scheme: "internet-facing" }), member("b", { scheme: "public" }));
      expect(joined(merged)).toEqual(["a"]);
      expect(merged.halt).toBeUndefined();
      expect(merged.settings.scheme).toBe("internet-facing");
    });

    it.each([
      ["scheme", { scheme: "public" }],
      ["inbound-cidrs", { "inbound-cidrs": "10.0.0.0/40" }],
      ["scheme", { scheme: "internet-facing", "listen-ports": "[" }],
      ["subnets", { subnets: "public-a,public-b", "ssl-policy": "bad policy" }],
    ])("holds %s when the left-out member was the only one stating it", (setting, annotations) => {
      const merged = merge(member("a", annotations), member("b"));
      expect(merged.halt).toBeUndefined();
      expect(merged.held?.reason).toContain(
        `apps/a is left out for an invalid annotation and no other member sets alb.ingress.kubernetes.io/${setting}`,
      );
    });

    it("does not halt for an invalid setting that does not shape the ALB", () => {
      const merged = merge(member("a", { "listen-ports": '[{"HTTP":0}]' }), member("b"));
      expect(merged.halt).toBeUndefined();
      expect(joined(merged)).toEqual(["b"]);
    });

    it("halts when every member is invalid", () => {
      const merged = merge(member("a", { "listen-ports": "[]" }));
      expect(merged.halt).toContain("every member of the group is left out for an invalid annotation");
      expect(merged.members).toEqual([]);
    });
  });
});
