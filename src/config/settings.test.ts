import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "./settings.ts";

describe("loadSettings", () => {
  it("fills defaults and lets flags win over the environment", () => {
    const s = loadSettings(
      { cluster: "prod", namespace: "shop" },
      { GANNET_CLUSTER_NAME: "ignored", AWS_REGION: "eu-west-1" },
    );

    expect(s).toMatchObject({
      cluster: "prod",
      region: "eu-west-1",
      namespace: "shop",
      concurrency: 4,
      ownerId: "prod",
      dnsPolicy: "sync",
      domainFilters: [],
      zoneIdFilters: [],
    });
  });

  it("splits list settings", () => {
    const s = loadSettings(
      { cluster: "c" },
      { GANNET_DOMAIN_FILTER: "Example.com, b.org", GANNET_ZONE_ID_FILTER: "Z1,Z2" },
    );

    expect(s.domainFilters).toEqual(["example.com", "b.org"]);
    expect(s.zoneIdFilters).toEqual(["Z1", "Z2"]);
  });

  it.each([
    { flags: {}, says: "--cluster / GANNET_CLUSTER_NAME: is required" },
    {
      flags: { cluster: "c", concurrency: "0" },
      says: '--concurrency / GANNET_CONCURRENCY: must be at least 1; got "0"',
    },
    {
      flags: { cluster: "c", vpcId: "vpc_1" },
      says: '--vpc-id / GANNET_VPC_ID: must be a VPC id such as vpc-0abc1234; got "vpc_1"',
    },
    {
      flags: { cluster: "c", dnsPolicy: "always" },
      says: '--dns-policy / GANNET_DNS_POLICY: must be "sync", "upsert-only" or "create-only"; got "always"',
    },
    {
      flags: { cluster: "c", domainFilter: "bad domain" },
      says: '--domain-filter / GANNET_DOMAIN_FILTER: must be DNS names such as example.com; got "bad domain"',
    },
    {
      flags: { cluster: "c", awsEndpoint: "localhost" },
      says: "--aws-endpoint / AWS_ENDPOINT_URL: must be a URL",
    },
  ])("refuses $flags naming the setting, the value and the fix", ({ flags, says }) => {
    expect(() => loadSettings(flags, {})).toThrow(SettingsError);
    expect(() => loadSettings(flags, {})).toThrow(says);
  });
});
