import type { EKSClient } from "@aws-sdk/client-eks";
import { describe, expect, it } from "vitest";
import { EksClusterError, EksPort } from "./eks.ts";

// The testbed's LocalStack serves no EKS: a stand-in client answers DescribeCluster as EKS documents it.
function portAnswering(answer: () => unknown): { port: EksPort; names: string[] } {
  const names: string[] = [];
  const client = {
    send: async (command: { input: { name: string } }) => {
      names.push(command.input.name);
      return answer();
    },
  } as unknown as EKSClient;
  return { port: new EksPort(client), names };
}

describe("EksPort.describeClusterEndpoint", () => {
  it("returns the endpoint and CA of an ACTIVE cluster", async () => {
    const { port, names } = portAnswering(() => ({
      cluster: {
        status: "ACTIVE",
        endpoint: "https://ABCD.gr7.eu-west-1.eks.amazonaws.com",
        certificateAuthority: { data: "LS0tLS1CRUdJTg==" },
      },
    }));

    expect(await port.describeClusterEndpoint("prod")).toEqual({
      endpoint: "https://ABCD.gr7.eu-west-1.eks.amazonaws.com",
      caData: "LS0tLS1CRUdJTg==",
    });
    expect(names).toEqual(["prod"]);
  });

  it("says to wait for a cluster still being created", async () => {
    const { port } = portAnswering(() => ({ cluster: { status: "CREATING" } }));

    await expect(port.describeClusterEndpoint("prod")).rejects.toThrow(
      'EKS cluster "prod" has no endpoint or CA yet (status CREATING): wait until it is ACTIVE',
    );
  });

  it("names the cluster, the error and the fixes when DescribeCluster fails", async () => {
    const { port } = portAnswering(() => {
      throw Object.assign(new Error("No cluster found for name: prod."), {
        name: "ResourceNotFoundException",
      });
    });

    const err = await port.describeClusterEndpoint("prod").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EksClusterError);
    expect(String(err)).toMatch(
      /eks:DescribeCluster of "prod" failed \(ResourceNotFoundException: No cluster found.*\): check GANNET_EKS_CLUSTER .* or set GANNET_EKS_ENDPOINT and GANNET_EKS_CA_DATA/,
    );
  });
});
