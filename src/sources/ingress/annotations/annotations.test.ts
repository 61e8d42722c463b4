import { describe, expect, it } from "vitest";
import { alb, ingress } from "../../../testing/test-fixtures.ts";
import { readGroupAnnotations, readMemberAnnotations } from "./annotations.ts";

const field = (name: string) => `metadata.annotations['alb.ingress.kubernetes.io/${name}']`;

describe("readMemberAnnotations: good values", () => {
  it("states nothing without annotations", () => {
    expect(readMemberAnnotations(ingress("a"))).toEqual({
      settings: {},
      stated: [],
      tags: {},
      problems: [],
      invalid: false,
    });
  });

  it.each([
    ["scheme", "internet-facing", { scheme: "internet-facing" }],
    ["scheme", "internal", { scheme: "internal" }],
    ["ip-address-type", "dualstack", { ipAddressType: "dualstack" }],
    [
      "subnets",
      " subnet-0b00000000000001b, public-a ,,",
      { subnets: ["public-a", "subnet-0b00000000000001b"] },
    ],
    ["subnets", "subnet-0123abcd", { subnets: ["subnet-0123abcd"] }],
    [
      "inbound-cidrs",
      "10.0.0.0/8, 192.168.0.0/16,::/0",
      { inboundCidrs: ["10.0.0.0/8", "192.168.0.0/16", "::/0"] },
    ],
    ["inbound-cidrs", "203.0.113.7/32", { inboundCidrs: ["203.0.113.7/32"] }],
    [
      "listen-ports",
      '[{"HTTPS":443},{"HTTP":80},{"HTTP":80}]',
      {
        listenPorts: [
          { protocol: "HTTP", port: 80 },
          { protocol: "HTTPS", port: 443 },
        ],
      },
    ],
    [
      "listen-ports",
      '[{"HTTP": 8080, "HTTPS": 8443}]',
      {
        listenPorts: [
          { protocol: "HTTP", port: 8080 },
          { protocol: "HTTPS", port: 8443 },
        ],
      },
    ],
    ["load-balancer-name", "my-alb-1", { loadBalancerName: "my-alb-1" }],
    ["load-balancer-name", "a".repeat(32), { loadBalancerName: "a".repeat(32) }],
    [
      "ssl-policy",
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" },
    ],
    [
      "certificate-arn",
      "arn:aws:acm:eu-west-1:123456789012:certificate/abc, arn:aws:iam::123456789012:server-certificate/x",
      {
        certificateArns: [
          "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
          "arn:aws:iam::123456789012:server-certificate/x",
        ],
      },
    ],
  ])("%s: %j", (name, value, settings) => {
    const read = readMemberAnnotations(ingress("a", { annotations: alb({ [name]: value }) }));
    expect(read.problems).toEqual([]);
    expect(read.invalid).toBe(false);
    expect(read.settings).toEqual(settings);
    expect(read.stated).toEqual(Object.keys(settings));
  });

  it("reads tags as key=value pairs", () => {
    const read = readMemberAnnotations(
      ingress("a", { annotations: alb({ tags: "team=web, env = prod ,empty=" }) }),
    );
    expect(read).toMatchObject({
      tags: { team: "web", env: "prod", empty: "" },
      problems: [],
      invalid: false,
    });
  });
});

describe("readMemberAnnotations: bad values leave the member out", () => {
  it.each([
    ["scheme", "public", 'must be "internal" or "internet-facing"; got "public"'],
    ["scheme", "Internet-Facing", 'must be "internal" or "internet-facing"; got "Internet-Facing"'],
    ["ip-address-type", "dualstack-without-public-ipv4", 'must be "ipv4" or "dualstack"'],
    ["subnets", " , ", "must list at least one subnet ID or Name tag value"],
    ["subnets", "subnet-xyz", '"subnet-xyz" is not a subnet ID like subnet-0123456789abcdef0'],
    ["inbound-cidrs", "10.0.0.0/33", '"10.0.0.0/33" is not an IPv4 or IPv6 CIDR'],
    ["inbound-cidrs", "10.0.0.1/8", '"10.0.0.1/8" has host bits set: write its network address'],
    ["inbound-cidrs", "everyone", "is not an IPv4 or IPv6 CIDR like 10.0.0.0/8 or ::/0"],
    ["listen-ports", "[{HTTP:80}]", 'must be JSON like [{"HTTP":80},{"HTTPS":443}]'],
    ["listen-ports", '{"HTTP":80}', "must be a JSON array"],
    ["listen-ports", "[]", "must list at least one port"],
    ["listen-ports", '[{"TCP":80}]', 'protocol "TCP" must be "HTTP" or "HTTPS"'],
    ["listen-ports", '[{"HTTP":0}]', "port 0 must be a number from 1 to 65535"],
    ["listen-ports", '[{"HTTP":"80"}]', 'port "80" must be a number from 1 to 65535'],
    ["listen-ports", '[{"HTTP":70000}]', "port 70000 must be a number from 1 to 65535"],
    ["listen-ports", '[{"HTTP":443},{"HTTPS":443}]', "port 443 is listed as both HTTP and HTTPS"],
    ["load-balancer-name", "a".repeat(33), "must be 1 to 32 letters, digits and hyphens"],
    ["load-balancer-name", "-alb", "must not begin or end with a hyphen"],
    ["load-balancer-name", "internal-alb", 'nor begin with "internal-"'],
    ["load-balancer-name", "my_alb", "letters, digits and hyphens"],
    ["ssl-policy", "ELB Policy", "must be an ELB security policy name"],
    ["certificate-arn", "arn:aws:s3:::bucket", '"arn:aws:s3:::bucket" is not an ACM or IAM certificate ARN'],
  ])("%s: %j", (name, value, message) => {
    const read = readMemberAnnotations(ingress("a", { annotations: alb({ [name]: value }) }));
    expect(read.invalid).toBe(true);
    expect(read.settings).toEqual({});
    expect(read.problems).toEqual([
      {
        ingress: "apps/a",
        field: field(name),
        value,
        message: expect.stringContaining(message),
        scope: "member",
      },
    ]);
    expect(read.problems[0]?.message).toContain("left out of its group");
  });

  it("truncates long values in Problems to 200 characters", () => {
    const value = `${"x".repeat(300)}`;
    const [problem] = readMemberAnnotations(ingress("a", { annotations: alb({ scheme: value }) })).problems;
    expect(problem?.value).toBe(`${"x".repeat(200)}…`);
    expect(problem?.message).not.toContain("x".repeat(201));
  });
});

describe("readMemberAnnotations: tags", () => {
  it.each([
    [
      "gannet.io/cluster=other,team=web",
      { team: "web" },
      'tag key "gannet.io/cluster" is reserved for Gannet',
    ],
    ["team", {}, '"team" must be key=value'],
    ["aws:cloudformation:stack-name=x", {}, 'uses the "aws:" prefix AWS reserves'],
    [`${"k".repeat(129)}=v`, {}, "must have 1 to 128 characters"],
    [`team=${"v".repeat(300)}`, {}, "at most 256 characters (it has 300)"],
    ["Gannet.IO/cluster=mine,team=web", { team: "web" }, 'tag key "Gannet.IO/cluster" is reserved'],
    ["team=web\u0007", {}, "may hold only letters, digits, spaces and _ . : / = + - @"],
    ["team=a\u0000b", {}, "may hold only letters"],
    ["te\u202eam=web", {}, "may hold only letters"],
    ["team=🦆", {}, "may hold only letters"],
    ["team=<script>", {}, "may hold only letters"],
    ["team=$" + "{jndi:x}", {}, "may hold only letters"],
    [
      Array.from({ length: 46 }, (_, i) => `k${i}=v`).join(","),
      {},
      "lists 46 tags; AWS takes 50 per resource and Gannet writes 5, so at most 45",
    ],
  ])("%j: ignored with a rule Problem, the member stays", (value, tags, message) => {
    const read = readMemberAnnotations(ingress("a", { annotations: alb({ tags: value }) }));
    expect(read.invalid).toBe(false);
    expect(read.tags).toEqual(tags);
    expect(read.problems).toEqual([
      {
        ingress: "apps/a",
        field: field("tags"),
        // Values in Problems are cut at 200 characters.
        value: value.length > 200 ? `${value.slice(0, 200)}…` : value,
        message: expect.stringContaining(message),
        scope: "rule",
      },
    ]);
  });
});

describe("readMemberAnnotations: tags AWS accepts", () => {
  it.each([
    ["équipe=café, 部署=開発", { équipe: "café", 部署: "開発" }],
    [
      "team=web platform, cost-center=a_b.c:d/e=f+g-h@i",
      { team: "web platform", "cost-center": "a_b.c:d/e=f+g-h@i" },
    ],
    [`team=${"é".repeat(256)}`, { team: "é".repeat(256) }],
    ["owner=", { owner: "" }],
  ])("%j", (value, tags) => {
    const read = readMemberAnnotations(ingress("a", { annotations: alb({ tags: value }) }));
    expect(read.problems).toEqual([]);
    expect(read.tags).toEqual(tags);
  });
});

describe("readGroupAnnotations", () => {
  it.each([
    [{}, { order: 0, problems: [] }],
    [{ "group.name": "shop" }, { name: "shop", order: 0, problems: [] }],
    [
      { "group.name": "shop", "group.order": "-1000" },
      { name: "shop", order: -1000, problems: [] },
    ],
    [{ "group.order": " 7 " }, { order: 7, problems: [] }],
  ])("%j", (annotations, expected) => {
    expect(readGroupAnnotations(ingress("a", { annotations: alb(annotations) }))).toEqual(expected);
  });

  it.each([
    ["group.name", "UPPER", "must be lowercase letters, digits, '-' and '.'"],
    ["group.name", "a".repeat(64), "must be at most 63 characters"],
    ["group.order", "1.5", "must be a whole number from -1000 to 1000"],
    ["group.order", "-1001", "must be a whole number from -1000 to 1000"],
  ])("%s %j → member Problem", (name, value, message) => {
    const read = readGroupAnnotations(ingress("a", { annotations: alb({ [name]: value }) }));
    expect(read.name).toBeUndefined();
    expect(read.problems).toEqual([
      {
        ingress: "apps/a",
        field: field(name),
        value,
        message: expect.stringContaining(message),
        scope: "member",
      },
    ]);
  });
});
