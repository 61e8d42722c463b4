// Never touch what is not ours, Kubernetes side: Gannet writes status, finalizers and Events only on
// Ingresses of its class. Ingresses of another class (by spec.ingressClassName or the legacy annotation,
// even naming the same group.name and host as a Gannet member) and one without a class while Gannet's
// class is not the default get no finalizer, no status and no Event through converges, an update and
// the deletion of the Gannet member.
//
// The shared API server's `gannet` IngressClass is the default (other tests rely on it): the runs here
// read the real objects and present that class without its default annotation, as a cluster whose
// default class is another controller's (or none) would have it. Every write goes to the real API server.

import { PatchStrategy, setHeaderOptions, type V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveVpcId, runPass } from "../src/runtime/pass.ts";
import { DEFAULT_CLASS_ANNOTATION } from "../src/sources/ingress/groups/ingress-class.ts";
import { Scenario } from "./support/scenario.ts";
import { uniqueSuffix } from "./support/testbed.ts";

describe("Gannet writes only Ingresses of its class", () => {
  const s = new Scenario();
  const id = uniqueSuffix();
  const otherClass = `other-${id}`;
  const group = `scope-${id}`;
  const strangers = ["theirs", "legacy", "classless"];
  let vpcId = "";

  const ingress = (
    name: string,
    spec: Partial<V1Ingress["spec"]>,
    annotations: Record<string, string> = {},
  ) =>
    ({
      metadata: { name, annotations: { "alb.ingress.kubernetes.io/group.name": group, ...annotations } },
      spec: {
        ...spec,
        rules: [
          {
            host: `scope-${id}.gannet.example.com`,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "web", port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    }) satisfies V1Ingress;

  // A pass over this namespace's groups, with Gannet's class not marked default.
  async function pass() {
    const real = await s.rt.kube.readSnapshot();
    const snapshot = {
      ...real,
      ingressClasses: real.ingressClasses.map((c) => {
        const { [DEFAULT_CLASS_ANNOTATION]: _default, ...annotations } = c.metadata.annotations ?? {};
        return { ...c, metadata: { ...c.metadata, annotations } };
      }),
    };
    const outcomes = await runPass(s.rt, vpcId, { snapshot });
    expect(outcomes.map((o) => o.error).filter(Boolean)).toEqual([]);
    return outcomes;
  }

  async function untouched(): Promise<void> {
    for (const name of strangers) {
      const i = await s.getIngress(name);
      expect(i?.metadata?.finalizers ?? [], name).toEqual([]);
      expect(i?.status?.loadBalancer?.ingress ?? [], name).toEqual([]);
      expect(await s.events(name), name).toEqual([]);
    }
  }

  beforeAll(async () => {
    await s.setUp();
    vpcId = await resolveVpcId(s.rt);
    await s.kube.networking.createIngressClass({
      body: { metadata: { name: otherClass }, spec: { controller: `example.com/other-${id}` } },
    });
    await s.putBackend({ name: "web", ready: ["10.20.11.10"] });
    await s.putIngress(ingress("ours", { ingressClassName: "gannet" }));
    await s.putIngress(ingress("theirs", { ingressClassName: otherClass }));
    await s.putIngress(ingress("legacy", {}, { "kubernetes.io/ingress.class": otherClass }));
    await s.putIngress(ingress("classless", {}));
    // The API server's DefaultIngressClass admission gives a new Ingress the default class (here Gannet's);
    // an update can take it away again, which leaves an Ingress with no class, as in a cluster without one.
    await s.kube.networking.patchNamespacedIngress(
      { name: "classless", namespace: s.namespace, body: [{ op: "remove", path: "/spec/ingressClassName" }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect((await s.getIngress("classless"))?.spec?.ingressClassName).toBeUndefined();
  });
  afterAll(() => s.tearDown());

  it("converges its own member (finalizer, status, Event) and writes nothing on the others", async () => {
    const outcomes = await pass();
    await pass();

    expect(outcomes.map((o) => o.group)).toEqual([group]);
    const ours = await s.getIngress("ours");
    expect(ours?.metadata?.finalizers).toEqual([`group.gannet.io/${group}`]);
    expect(ours?.status?.loadBalancer?.ingress?.[0]?.hostname).toMatch(/elb\.amazonaws\.com$/);
    expect((await s.events("ours")).map((e) => e.reason)).toContain("SuccessfullyReconciled");
    await untouched();
  });

  it("an update of its member still leaves the others alone", async () => {
    await s.putIngress(
      ingress(
        "ours",
        { ingressClassName: "gannet" },
        { "alb.ingress.kubernetes.io/scheme": "internet-facing" },
      ),
    );
    await pass();

    await untouched();
  });

  it("deleting its member deletes the group and still writes nothing on the others", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "ours", namespace: s.namespace });
    await pass();

    expect(await s.getIngress("ours")).toBeUndefined();
    await untouched();
  });
});
