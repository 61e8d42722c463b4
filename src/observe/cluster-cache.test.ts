import { describe, expect, it } from "vitest";
import type { Ingress, IngressClass } from "../model/kube-objects.ts";
import { alb, backend, endpointSlice, ingress, path, service } from "../testing/test-fixtures.ts";
import { ClusterCache } from "./cluster-cache.ts";

const gannetClass: IngressClass = {
  metadata: { name: "gannet", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } },
  spec: { controller: "gannet.io/ingress-controller" },
};

function routes(svc: string): Ingress["spec"]["rules"] {
  return [{ http: { paths: [path("/", "Prefix", backend(svc, 80))] } }];
}

/** A cache with: shop (a, b -> svc-a, svc-b), apps/solo (-> svc-a), apps/other (-> svc-c, class "other"). */
function world(): ClusterCache {
  const cache = new ClusterCache();
  cache.upsert("IngressClass", gannetClass);
  cache.upsert("Service", service("svc-a"));
  cache.upsert("Service", service("svc-b"));
  cache.upsert("EndpointSlice", endpointSlice("svc-a", [{ ip: "10.0.0.1" }]));
  cache.upsert("EndpointSlice", endpointSlice("svc-b", [{ ip: "10.0.0.2" }]));
  cache.upsert(
    "Ingress",
    ingress("a", { annotations: alb({ "group.name": "shop" }), rules: routes("svc-a") }),
  );
  cache.upsert(
    "Ingress",
    ingress("b", { annotations: alb({ "group.name": "shop" }), rules: routes("svc-b") }),
  );
  cache.upsert("Ingress", ingress("solo", { rules: routes("svc-a") }));
  cache.upsert("Ingress", ingress("other", { className: "other", rules: routes("svc-c") }));
  return cache;
}

describe("ClusterCache", () => {
  it.each([
    [
      "an EndpointSlice of a Service two groups use",
      "EndpointSlice",
      endpointSlice("svc-a", [{ ip: "10.0.0.9" }]),
      ["apps/solo", "shop"],
    ],
    [
      "an EndpointSlice of a Service one group uses",
      "EndpointSlice",
      endpointSlice("svc-b", [{ ip: "10.0.0.9" }]),
      ["shop"],
    ],
    [
      "an EndpointSlice of a Service no Ingress uses",
      "EndpointSlice",
      endpointSlice("svc-z", [{ ip: "10.0.0.9" }]),
      [],
    ],
    ["a Service port change", "Service", service("svc-b", [{ port: 81, targetPort: 8080 }]), ["shop"]],
    ["a new Service an Ingress already names", "Service", service("svc-c"), ["apps/other"]],
    [
      "the default IngressClass",
      "IngressClass",
      { ...gannetClass, metadata: { ...gannetClass.metadata, labels: { x: "y" } } },
      ["apps/solo", "shop"],
    ],
    [
      "a class only one Ingress names (and the default-class users)",
      "IngressClass",
      { metadata: { name: "other" }, spec: { controller: "x" } },
      ["apps/other", "apps/solo", "shop"],
    ],
  ] as const)("maps %s to the groups it affects", (_what, kind, obj, groups) => {
    const cache = world();

    const change = cache.upsert(kind, obj);

    expect([...change.groups].sort()).toEqual(groups);
  });

  it("maps an Ingress moving to another group to both groups", () => {
    const cache = world();

    const change = cache.upsert(
      "Ingress",
      ingress("b", { annotations: alb({ "group.name": "mall" }), rules: routes("svc-b") }),
    );

    expect([...change.groups].sort()).toEqual(["mall", "shop"]);
    expect(cache.groups()).toEqual(["apps/other", "apps/solo", "mall", "shop"]);
  });

  it("keeps a group an Ingress left while its finalizer still names it", () => {
    const cache = world();
    const moved = ingress("b", { annotations: alb({ "group.name": "mall" }), rules: routes("svc-b") });

    cache.upsert("Ingress", {
      ...moved,
      metadata: { ...moved.metadata, finalizers: ["group.gannet.io/shop"] },
    });

    expect(
      cache
        .snapshotOf("shop")
        .ingresses.map((i) => i.metadata.name)
        .sort(),
    ).toEqual(["a", "b"]);
  });

  it("ignores a change of status or resourceVersion only (Gannet's own status patch)", () => {
    const cache = world();
    const solo = ingress("solo", { rules: routes("svc-a") });

    const change = cache.upsert("Ingress", {
      ...solo,
      metadata: { ...solo.metadata, resourceVersion: "99" },
      status: { loadBalancer: { ingress: [{ hostname: "x.elb.amazonaws.com" }] } },
    });

    expect(change.groups).toEqual([]);
    expect(change.skipped).toBe("status or resourceVersion only");
  });

  it("maps a deleted Ingress and a deleted EndpointSlice to their groups", () => {
    const cache = world();

    const ingressGone = cache.remove("Ingress", ingress("a"));
    const sliceGone = cache.remove("EndpointSlice", endpointSlice("svc-b", []));

    expect(ingressGone.groups).toEqual(["shop"]);
    expect(sliceGone.groups).toEqual(["shop"]);
    expect(cache.snapshotOf("shop").endpointSlices).toEqual([]);
  });

  it("follows an EndpointSlice whose Service label changes", () => {
    const cache = world();
    const slice = endpointSlice("svc-a", [{ ip: "10.0.0.1" }]);

    const change = cache.upsert("EndpointSlice", {
      ...slice,
      metadata: { ...slice.metadata, labels: { "kubernetes.io/service-name": "svc-b" } },
    });

    expect([...change.groups].sort()).toEqual(["apps/solo", "shop"]);
    expect(cache.snapshotOf("apps/solo").endpointSlices).toEqual([]);
  });

  it("gives a group's snapshot its Ingresses, their Services and EndpointSlices, and every IngressClass", () => {
    const cache = world();

    const snap = cache.snapshotOf("shop");

    expect({
      ingresses: snap.ingresses.map((i) => i.metadata.name).sort(),
      services: snap.services.map((s) => s.metadata.name),
      slices: snap.endpointSlices.map((s) => s.metadata.name),
      classes: snap.ingressClasses.map((c) => c.metadata.name),
    }).toEqual({
      ingresses: ["a", "b"],
      services: ["svc-a", "svc-b"],
      slices: ["svc-a-abc", "svc-b-abc"],
      classes: ["gannet"],
    });
  });

  it("maps a join policy ConfigMap to the groups of the classes naming it, and snapshots it", () => {
    const cache = world();
    const parameters = { kind: "ConfigMap", name: "groups", namespace: "gannet-system", scope: "Namespace" };
    cache.upsert("IngressClass", { ...gannetClass, spec: { ...gannetClass.spec, parameters } });
    const policy = {
      metadata: { namespace: "gannet-system", name: "groups" },
      data: { "allowed-namespaces": "*" },
    };
    const unrelated = { metadata: { namespace: "gannet-system", name: "other" }, data: {} };

    expect(cache.upsert("ConfigMap", policy).groups).toEqual(["apps/solo", "shop"]);
    expect(cache.upsert("ConfigMap", unrelated).groups).toEqual([]);
    expect(cache.snapshotOf("shop").classParameters).toEqual([policy, unrelated]);
    expect(cache.remove("ConfigMap", policy).groups).toEqual(["apps/solo", "shop"]);
  });

  it("indexes Services named by forward actions in annotations", () => {
    const cache = world();
    cache.upsert(
      "Ingress",
      ingress("weighted", {
        annotations: alb({
          "actions.split": JSON.stringify({
            type: "forward",
            forwardConfig: { targetGroups: [{ serviceName: "svc-w", servicePort: "80", weight: 50 }] },
          }),
        }),
      }),
    );

    const change = cache.upsert("Service", service("svc-w"));

    expect(change.groups).toEqual(["apps/weighted"]);
  });
});
