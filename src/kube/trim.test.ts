import { V1EndpointSlice, V1Ingress } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { trimEndpointSlice, trimIngress, trimService } from "./trim.ts";

const managedFields = [{ manager: "kubectl", operation: "Apply", fieldsV1: { "f:spec": {} } }];

describe("trim", () => {
  it("keeps what the core reads of an Ingress and drops the rest", () => {
    const raw = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: {
        namespace: "apps",
        name: "web",
        uid: "u1",
        resourceVersion: "42",
        generation: 3,
        labels: { team: "a" },
        annotations: {
          "alb.ingress.kubernetes.io/group.name": "shop",
          "kubectl.kubernetes.io/last-applied-configuration": "{...a large copy of the object...}",
        },
        finalizers: ["group.gannet.io/shop"],
        managedFields,
        creationTimestamp: "2026-01-01T00:00:00Z",
      },
      spec: { ingressClassName: "gannet", rules: [{ host: "a.example.com" }] },
      status: { loadBalancer: { ingress: [{ hostname: "x.elb.amazonaws.com", ports: [] }] } },
    };

    expect(trimIngress(raw)).toEqual({
      metadata: {
        namespace: "apps",
        name: "web",
        uid: "u1",
        resourceVersion: "42",
        generation: 3,
        annotations: { "alb.ingress.kubernetes.io/group.name": "shop" },
        finalizers: ["group.gannet.io/shop"],
      },
      spec: { ingressClassName: "gannet", rules: [{ host: "a.example.com" }] },
      status: { loadBalancer: { ingress: [{ hostname: "x.elb.amazonaws.com" }] } },
    });
  });

  it("turns the client's Date timestamps into the strings a watch event carries", () => {
    const listed = new V1Ingress();
    listed.metadata = { namespace: "apps", name: "web", deletionTimestamp: new Date("2026-01-01T00:00:00Z") };
    listed.spec = {};

    expect(trimIngress(listed).metadata.deletionTimestamp).toBe("2026-01-01T00:00:00.000Z");
  });

  it("keeps an EndpointSlice's Service label, addresses, conditions and ports only", () => {
    const slice = new V1EndpointSlice();
    slice.metadata = {
      namespace: "apps",
      name: "web-x1",
      labels: { "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "x" },
      managedFields: [],
    };
    slice.addressType = "IPv4";
    slice.endpoints = [
      {
        addresses: ["10.0.0.1"],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: "node-1",
        targetRef: { kind: "Pod", name: "web-abc", namespace: "apps", uid: "p1" },
        zone: "us-east-1a",
      },
    ];
    slice.ports = [{ name: "http", port: 8080, protocol: "TCP" }];

    expect(trimEndpointSlice(slice)).toEqual({
      metadata: { namespace: "apps", name: "web-x1", labels: { "kubernetes.io/service-name": "web" } },
      addressType: "IPv4",
      endpoints: [
        {
          addresses: ["10.0.0.1"],
          conditions: { ready: true, serving: true, terminating: false },
          zone: "us-east-1a",
        },
      ],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    });
  });

  it("keeps a Service's annotations, type and ports, not its status or cluster IPs", () => {
    const raw = {
      metadata: {
        namespace: "apps",
        name: "web",
        annotations: { "alb.ingress.kubernetes.io/healthcheck-path": "/hz" },
      },
      spec: {
        type: "ClusterIP",
        clusterIP: "10.96.0.10",
        clusterIPs: ["10.96.0.10"],
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
        selector: { app: "web" },
      },
      status: { loadBalancer: {} },
    };

    expect(trimService(raw)).toEqual({
      metadata: {
        namespace: "apps",
        name: "web",
        annotations: { "alb.ingress.kubernetes.io/healthcheck-path": "/hz" },
      },
      spec: { type: "ClusterIP", ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
    });
  });
});
