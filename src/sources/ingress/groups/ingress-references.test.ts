import { describe, expect, it } from "vitest";
import { alb, backend, ingress, path } from "../../../testing/test-fixtures.ts";
import { classNameOfIngress, groupsOfIngress, servicesOfIngress } from "./ingress-references.ts";

describe("servicesOfIngress", () => {
  it("names the default backend, every path's Service and forward-action Services, once each", () => {
    const ing = ingress("web", {
      defaultBackend: backend("fallback", 80),
      rules: [
        {
          http: {
            paths: [path("/", "Prefix", backend("web", 80)), path("/a", "Prefix", backend("web", "http"))],
          },
        },
        { host: "b.example.com", http: { paths: [path("/", "Prefix", backend("api", 80))] } },
      ],
      annotations: alb({
        "actions.split": JSON.stringify({
          type: "forward",
          forwardConfig: {
            targetGroups: [{ serviceName: "canary", servicePort: 80 }, { serviceName: "web" }],
          },
        }),
        "actions.broken": "{not json",
      }),
    });

    expect(servicesOfIngress(ing)).toEqual(["apps/api", "apps/canary", "apps/fallback", "apps/web"]);
  });
});

describe("groupsOfIngress", () => {
  it.each([
    ["an implicit group", ingress("solo"), ["apps/solo"]],
    ["an explicit group", ingress("a", { annotations: alb({ "group.name": "shop" }) }), ["shop"]],
  ])("names %s", (_what, ing, groups) => {
    expect(groupsOfIngress(ing)).toEqual(groups);
  });

  it("names the groups its finalizers still hold", () => {
    const moved = ingress("a", { annotations: alb({ "group.name": "mall" }) });

    const groups = groupsOfIngress({
      ...moved,
      metadata: { ...moved.metadata, finalizers: ["group.gannet.io/shop", "example.com/other"] },
    });

    expect(groups).toEqual(["mall", "shop"]);
  });
});

describe("classNameOfIngress", () => {
  it.each([
    ["the field", ingress("a", { className: "gannet" }), "gannet"],
    ["the legacy annotation", ingress("a", { annotations: { "kubernetes.io/ingress.class": "old" } }), "old"],
    ["nothing (the default class)", ingress("a"), ""],
  ])("reads %s", (_what, ing, name) => {
    expect(classNameOfIngress(ing)).toBe(name);
  });
});
