import { describe, expect, it } from "vitest";
import type { IngressClass } from "../../../model/kube-objects.ts";
import { ingress } from "../../../testing/test-fixtures.ts";
import { GANNET_CONTROLLER, selectIngresses } from "./ingress-class.ts";

function ingressClass(name: string, controller: string, isDefault = false): IngressClass {
  return {
    metadata: {
      name,
      ...(isDefault ? { annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } } : {}),
    },
    spec: { controller },
  };
}

const gannet = ingressClass("gannet", GANNET_CONTROLLER);
const gannetDefault = ingressClass("gannet", GANNET_CONTROLLER, true);
const alb = ingressClass("alb", "ingress.k8s.aws/alb");
const albDefault = ingressClass("alb", "ingress.k8s.aws/alb", true);
const legacy = (cls: string) => ({ "kubernetes.io/ingress.class": cls });

describe("selectIngresses", () => {
  it.each([
    {
      name: "ingressClassName names Gannet's class",
      ing: ingress("a", { className: "gannet" }),
      classes: [gannet, alb],
      reason: undefined,
    },
    {
      name: "ingressClassName names another controller's class",
      ing: ingress("a", { className: "alb" }),
      classes: [gannet, alb],
      reason: 'IngressClass "alb" of controller "ingress.k8s.aws/alb"',
    },
    {
      name: "ingressClassName names a missing class",
      ing: ingress("a", { className: "nope" }),
      classes: [gannet],
      reason: 'IngressClass "nope", which does not exist',
    },
    {
      name: "ingressClassName wins over the default class",
      ing: ingress("a", { className: "alb" }),
      classes: [gannetDefault, alb],
      reason: "of controller",
    },
    {
      name: "no class, Gannet's class is the default",
      ing: ingress("a"),
      classes: [gannetDefault, alb],
      reason: undefined,
    },
    {
      name: "no class, no default class",
      ing: ingress("a"),
      classes: [gannet, alb],
      reason: "no ingressClassName and no default IngressClass",
    },
    {
      name: "no class, another controller's default",
      ing: ingress("a"),
      classes: [gannet, albDefault],
      reason: "is another controller's",
    },
    {
      name: "no class, two defaults of different controllers",
      ing: ingress("a"),
      classes: [gannetDefault, albDefault],
      reason: "several default IngressClasses (alb, gannet)",
    },
    {
      name: "legacy annotation names Gannet's class",
      ing: ingress("a", { annotations: legacy("gannet") }),
      classes: [gannet, albDefault],
      reason: undefined,
    },
    {
      name: "legacy annotation names another class, even with Gannet's default",
      ing: ingress("a", { annotations: legacy("alb") }),
      classes: [gannetDefault, alb],
      reason: 'annotation kubernetes.io/ingress.class names IngressClass "alb"',
    },
    {
      name: "legacy annotation ignored when ingressClassName is set",
      ing: ingress("a", { className: "gannet", annotations: legacy("alb") }),
      classes: [gannet, alb],
      reason: undefined,
    },
  ])("$name", ({ ing, classes, reason }) => {
    const result = selectIngresses({
      ingresses: [ing],
      ingressClasses: classes,
      controller: GANNET_CONTROLLER,
    });
    if (reason === undefined) {
      expect(result).toEqual({ accepted: [ing], skipped: [], classOf: expect.any(Map) });
    } else {
      expect(result.accepted).toEqual([]);
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]?.ingress).toBe("apps/a");
      expect(result.skipped[0]?.reason).toContain(reason);
    }
  });

  it("returns accepted and skipped Ingresses in namespace/name order", () => {
    const ings = [
      ingress("c", { className: "gannet" }),
      ingress("b", { className: "alb" }),
      ingress("a", { className: "gannet", namespace: "z" }),
      ingress("a", { className: "gannet" }),
    ];
    const result = selectIngresses({
      ingresses: ings,
      ingressClasses: [gannet, alb],
      controller: GANNET_CONTROLLER,
    });
    expect(result.accepted.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([
      "apps/a",
      "apps/c",
      "z/a",
    ]);
    expect(result.skipped.map((s) => s.ingress)).toEqual(["apps/b"]);
  });
});
