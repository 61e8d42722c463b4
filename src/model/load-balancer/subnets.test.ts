import { describe, expect, it } from "vitest";
import { SUBNETS, subnet } from "../../testing/test-fixtures.ts";
import { type ResolveSubnetsInput, resolveSubnets, type Subnet } from "./subnets.ts";

const base: Omit<ResolveSubnetsInput, "scheme"> = {
  cluster: "gannet-dev",
  vpcId: "vpc-0example",
  subnets: SUBNETS,
};
const elb = { "kubernetes.io/role/elb": "1" };

describe("resolveSubnets: discovery", () => {
  it.each([
    ["internet-facing", ["subnet-0a00000000000001a", "subnet-0b00000000000001b", "subnet-0c00000000000001c"]],
    ["internal", ["subnet-0a00000000000002a", "subnet-0b00000000000002b", "subnet-0c00000000000002c"]],
  ] as const)("%s picks one subnet per AZ with the matching role tag", (scheme, subnetIds) => {
    expect(resolveSubnets({ ...base, scheme })).toEqual({ ok: true, subnetIds });
  });

  it.each<[string, Subnet[], string[] | string]>([
    [
      "lowest ID per AZ",
      [
        subnet("subnet-0000000b", "az-a", elb),
        subnet("subnet-0000000a", "az-a", elb),
        subnet("subnet-0000000c", "az-b", elb),
      ],
      ["subnet-0000000a", "subnet-0000000c"],
    ],
    [
      "a role tag with an empty value counts",
      [
        subnet("subnet-0000000a", "az-a", { "kubernetes.io/role/elb": "" }),
        subnet("subnet-0000000b", "az-b", elb),
      ],
      ["subnet-0000000a", "subnet-0000000b"],
    ],
    [
      "a role tag with another value does not",
      [
        subnet("subnet-0000000a", "az-a", { "kubernetes.io/role/elb": "0" }),
        subnet("subnet-0000000b", "az-b", elb),
      ],
      "in 1 Availability Zone(s) (az-b)",
    ],
    [
      "subnets tagged only for other clusters are skipped",
      [
        subnet("subnet-0000000a", "az-a", { ...elb, "kubernetes.io/cluster/other": "owned" }),
        subnet("subnet-0000000b", "az-a", { ...elb, "kubernetes.io/cluster/gannet-dev": "shared" }),
        subnet("subnet-0000000c", "az-b", {
          ...elb,
          "kubernetes.io/cluster/gannet-dev": "owned",
          "kubernetes.io/cluster/x": "shared",
        }),
      ],
      ["subnet-0000000b", "subnet-0000000c"],
    ],
    [
      "a subnet tagged for this cluster beats a lower untagged ID in its AZ",
      [
        subnet("subnet-0000000a", "az-a", elb),
        subnet("subnet-0000000f", "az-a", { ...elb, "kubernetes.io/cluster/gannet-dev": "shared" }),
        subnet("subnet-0000000b", "az-b", elb),
      ],
      ["subnet-0000000b", "subnet-0000000f"],
    ],
    [
      "subnets of another VPC are skipped",
      [subnet("subnet-0000000a", "az-a", elb), subnet("subnet-0000000b", "az-b", elb, "vpc-other")],
      "in 1 Availability Zone(s) (az-a) of vpc-0example",
    ],
    [
      "only other clusters' subnets in the second AZ → fewer than two AZs",
      [
        subnet("subnet-0000000a", "az-a", elb),
        subnet("subnet-0000000b", "az-b", { ...elb, "kubernetes.io/cluster/other": "owned" }),
      ],
      "an ALB needs at least two",
    ],
    ["no subnets at all", [], "in 0 Availability Zone(s) (none)"],
  ])("%s", (_, subnets, expected) => {
    const result = resolveSubnets({ ...base, subnets, scheme: "internet-facing" });
    if (typeof expected === "string") {
      expect(result.ok).toBe(false);
      expect(result.ok ? "" : result.message).toContain(expected);
    } else {
      expect(result).toEqual({ ok: true, subnetIds: expected });
    }
  });
});

describe("resolveSubnets: named by the annotation", () => {
  it.each<[string, string[], string[] | string]>([
    [
      "IDs",
      ["subnet-0c00000000000002c", "subnet-0a00000000000001a"],
      ["subnet-0a00000000000001a", "subnet-0c00000000000002c"],
    ],
    [
      "Name tags, whatever their role tags",
      ["private-a", "public-b"],
      ["subnet-0a00000000000002a", "subnet-0b00000000000001b"],
    ],
    [
      "an unknown ID",
      ["subnet-0a00000000000001a", "subnet-0fffffffffffffff0"],
      'subnet "subnet-0fffffffffffffff0" was not found',
    ],
    ["an unknown name", ["public-a", "public-z"], 'subnet "public-z" was not found'],
    ["two subnets in one AZ", ["public-a", "private-a", "public-b"], "are both in eu-west-1a"],
    ["a single AZ", ["public-a"], "at least two Availability Zones; got 1"],
  ])("%s", (_, named, expected) => {
    const result = resolveSubnets({ ...base, scheme: "internal", named });
    if (typeof expected === "string") {
      expect(result.ok).toBe(false);
      expect(result.ok ? "" : result.message).toContain(expected);
    } else {
      expect(result).toEqual({ ok: true, subnetIds: expected });
    }
  });

  it("refuses a subnet of another VPC", () => {
    const subnets = [...SUBNETS, subnet("subnet-0d00000000000001d", "eu-west-1d", {}, "vpc-other")];
    const result = resolveSubnets({
      ...base,
      subnets,
      scheme: "internal",
      named: ["public-a", "subnet-0d00000000000001d"],
    });
    expect(result).toEqual({
      ok: false,
      message: "subnet subnet-0d00000000000001d is in vpc-other, not in the cluster's VPC vpc-0example",
    });
  });
});
