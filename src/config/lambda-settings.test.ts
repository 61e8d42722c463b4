import { describe, expect, it } from "vitest";
import { loadLambdaSettings } from "./lambda-settings.ts";
import { SettingsError } from "./settings.ts";

const base = { GANNET_CLUSTER_NAME: "prod" };
const ca = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");

describe("loadLambdaSettings", () => {
  it("defaults: the EKS cluster is the cluster name, found by DescribeCluster; Lease gannet-system/gannet-leader, as the in-cluster controller; 20 s window", () => {
    const { settings, lambda } = loadLambdaSettings(base);

    expect(settings.cluster).toBe("prod");
    expect(lambda).toEqual({
      eksCluster: "prod",
      lease: { namespace: "gannet-system", name: "gannet-leader" },
      watchSeconds: 20,
      marginSeconds: 20,
    });
  });

  it("takes the endpoint and CA from the environment, and never a kubeconfig", () => {
    const { settings, lambda } = loadLambdaSettings({
      ...base,
      GANNET_EKS_CLUSTER: "prod-eks",
      GANNET_EKS_ENDPOINT: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      GANNET_EKS_CA_DATA: `${ca.slice(0, 10)}\n${ca.slice(10)}`,
      GANNET_KUBECONFIG: "/home/someone/.kube/config",
      GANNET_LEASE_NAMESPACE: "gannet-system",
      GANNET_LEASE_NAME: "gannet-leader",
      GANNET_WATCH_SECONDS: "0",
    });

    expect(settings.kubeconfig).toBeUndefined();
    expect(lambda).toEqual({
      eksCluster: "prod-eks",
      endpoint: { server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com", caData: ca },
      lease: { namespace: "gannet-system", name: "gannet-leader" },
      watchSeconds: 0,
      marginSeconds: 20,
    });
  });

  it.each([
    [
      { GANNET_EKS_ENDPOINT: "http://plain.example.com", GANNET_EKS_CA_DATA: ca },
      "GANNET_EKS_ENDPOINT: must be the cluster's https://",
    ],
    [
      { GANNET_EKS_ENDPOINT: "https://x.example.com" },
      "GANNET_EKS_ENDPOINT and GANNET_EKS_CA_DATA: set both, or neither",
    ],
    [
      { GANNET_EKS_CLUSTER: "prod cluster" },
      'GANNET_EKS_CLUSTER: must be an EKS cluster name (letters, digits, - and _); got "prod cluster"',
    ],
    [{ GANNET_WATCH_SECONDS: "soon" }, 'GANNET_WATCH_SECONDS: must be a number of seconds; got "soon"'],
    [{ GANNET_WATCH_SECONDS: "1000" }, "GANNET_WATCH_SECONDS: must be at most 840"],
    [
      { GANNET_LEASE_NAMESPACE: "Kube_System" },
      'GANNET_LEASE_NAMESPACE: must be a namespace name; got "Kube_System"',
    ],
  ])("refuses %j, naming the variable, the value and the fix", (env, message) => {
    expect(() => loadLambdaSettings({ ...base, ...env })).toThrow(SettingsError);
    expect(() => loadLambdaSettings({ ...base, ...env })).toThrow(message);
  });

  it("needs a cluster name", () => {
    expect(() => loadLambdaSettings({})).toThrow(/GANNET_CLUSTER_NAME/);
  });
});
