import { describe, expect, it } from "vitest";
import type { Ingress, IngressClass } from "../../../model/kube-objects.ts";
import { collectGroups } from "./collect-groups.ts";

const gannet: IngressClass = {
  metadata: { name: "gannet", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } },
  spec: { controller: "gannet.io/ingress-controller" },
};
const nginx: IngressClass = { metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } };

function ing(
  name: string,
  o: { className?: string; group?: string; finalizers?: string[]; deleting?: boolean } = {},
): Ingress {
  return {
    metadata: {
      namespace: "apps",
      name,
      ...(o.group ? { annotations: { "alb.ingress.kubernetes.io/group.name": o.group } } : {}),
      ...(o.finalizers ? { finalizers: o.finalizers } : {}),
      ...(o.deleting ? { deletionTimestamp: "2026-11-23T00:00:00Z" } : {}),
    },
    spec: o.className ? { ingressClassName: o.className } : {},
  };
}

const summary = (ingresses: Ingress[], classes: IngressClass[] = [gannet, nginx]) =>
  collectGroups({ ingresses, ingressClasses: classes }).map((g) => ({
    group: g.group,
    members: g.members.map((m) => m.metadata.name),
    leaving: g.leaving.map((m) => m.metadata.name),
  }));

describe("collectGroups", () => {
  it("releases a deleted member and one that moved to another controller's class", () => {
    const groups = summary([
      ing("a", { group: "shop", className: "gannet", finalizers: ["group.gannet.io/shop"] }),
      ing("b", { group: "shop", className: "gannet", finalizers: ["group.gannet.io/shop"], deleting: true }),
      ing("c", { group: "shop", className: "nginx", finalizers: ["group.gannet.io/shop"] }),
    ]);

    expect(groups).toEqual([{ group: "shop", members: ["a"], leaving: ["b", "c"] }]);
  });

  it("keeps a member that moved to another group leaving its old one", () => {
    const groups = summary([
      ing("a", { group: "new", className: "gannet", finalizers: ["group.gannet.io/old"] }),
    ]);

    expect(groups).toEqual([
      { group: "new", members: ["a"], leaving: [] },
      { group: "old", members: [], leaving: ["a"] },
    ]);
  });

  it("freezes a group whose member's IngressClass is missing, instead of tearing it down", () => {
    const withoutClass = summary(
      [
        ing("a", { group: "shop", className: "gannet", finalizers: ["group.gannet.io/shop"] }),
        ing("b", { finalizers: ["gannet.io/resources"] }),
      ],
      [nginx],
    );

    expect(withoutClass).toEqual([]);
  });
});
