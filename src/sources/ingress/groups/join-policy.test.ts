import { describe, expect, it } from "vitest";
import type { ConfigMap, Ingress, IngressClass } from "../../../model/kube-objects.ts";
import { alb, ingress } from "../../../testing/test-fixtures.ts";
import { collectGroups } from "./collect-groups.ts";
import { GANNET_CONTROLLER } from "./ingress-class.ts";
import { admitMembers, DEFAULT_JOIN_POLICY, readJoinPolicy } from "./join-policy.ts";

const member = (namespace: string, name: string, created: string, group = "web"): Ingress =>
  ingress(name, { namespace, annotations: alb({ "group.name": group }), created, className: "gannet" });

const gannetClass = (parameters?: unknown): IngressClass => ({
  metadata: { name: "gannet" },
  spec: { controller: GANNET_CONTROLLER, ...(parameters ? { parameters } : {}) },
});
const params = { kind: "ConfigMap", name: "gannet-groups", namespace: "gannet-system", scope: "Namespace" };
const configMap = (data: Record<string, string>): ConfigMap => ({
  metadata: { namespace: "gannet-system", name: "gannet-groups" },
  data,
});
const names = (list: readonly Ingress[]) => list.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);

describe("admitMembers: by default only the oldest member's namespace joins", () => {
  it("refuses a member from another namespace, whatever its name or group order", () => {
    const members = [
      member("aaa", "newcomer", "2026-02-01T00:00:00Z"),
      member("web", "site", "2026-01-01T00:00:00Z"),
    ];
    const admission = admitMembers("web", members, () => DEFAULT_JOIN_POLICY);
    expect(names(admission.admitted)).toEqual(["web/site"]);
    expect(names(admission.refused)).toEqual(["aaa/newcomer"]);
    expect(admission.halt).toBeUndefined();
    expect(admission.problems).toEqual([
      {
        ingress: "aaa/newcomer",
        field: "metadata.annotations['alb.ingress.kubernetes.io/group.name']",
        value: "web",
        message: expect.stringMatching(
          /only namespace web, of the group's oldest member web\/site, may join group "web"; this Ingress from namespace aaa is refused and changes nothing: list aaa in a ConfigMap .*allowed-namespaces\.web/,
        ),
        scope: "member",
      },
    ]);
  });

  it("admits an implicit group's only member", () => {
    const only = ingress("solo", { namespace: "x" });
    expect(admitMembers("x/solo", [only], () => DEFAULT_JOIN_POLICY).admitted).toEqual([only]);
  });
});

describe("readJoinPolicy", () => {
  it.each([
    [
      "a group's own key",
      { "allowed-namespaces.web": "web, shop" },
      ["web/site", "shop/cart"],
      ["blog/post"],
    ],
    ["the fallback key", { "allowed-namespaces": "web shop" }, ["web/site", "shop/cart"], ["blog/post"]],
    ["any namespace", { "allowed-namespaces.web": "*" }, ["web/site", "shop/cart", "blog/post"], []],
    [
      "a group key before the fallback",
      { "allowed-namespaces": "*", "allowed-namespaces.web": "web" },
      ["web/site"],
      ["shop/cart", "blog/post"],
    ],
  ])("lists namespaces by %s", (_, data, admitted, refused) => {
    const policy = readJoinPolicy(gannetClass(params), [configMap(data)]);
    const members = [
      member("web", "site", "2026-01-01T00:00:00Z"),
      member("shop", "cart", "2026-01-02T00:00:00Z"),
      member("blog", "post", "2026-01-03T00:00:00Z"),
    ];
    const admission = admitMembers("web", members, () => policy);
    expect(names(admission.admitted)).toEqual(admitted);
    expect(names(admission.refused)).toEqual(refused);
  });

  it.each([
    ["a missing ConfigMap", params, [], /names ConfigMap gannet-system\/gannet-groups, which does not exist/],
    [
      "parameters of another kind",
      { ...params, kind: "IngressClassParams", apiGroup: "elbv2.k8s.aws" },
      [],
      /must name a ConfigMap/,
    ],
    [
      "a bad namespace name",
      params,
      [configMap({ "allowed-namespaces.web": "web, Shop_1" })],
      /"Shop_1", which is not a namespace name/,
    ],
  ])("halts the group on %s instead of guessing", (_, parameters, maps, message) => {
    const policy = readJoinPolicy(gannetClass(parameters), maps);
    const admission = admitMembers(
      "web",
      [member("web", "site", "2026-01-01T00:00:00Z"), member("shop", "cart", "2026-01-02T00:00:00Z")],
      () => policy,
    );
    expect(admission.halt).toMatch(message);
    expect(admission.problems.map((p) => p.ingress)).toEqual(["web/site", "shop/cart"]);
  });

  it("halts a group none of whose members is allowed (a typo never tears an ALB down)", () => {
    const policy = readJoinPolicy(gannetClass(params), [configMap({ "allowed-namespaces.web": "wbe" })]);
    const admission = admitMembers("web", [member("web", "site", "2026-01-01T00:00:00Z")], () => policy);
    expect(admission.halt).toMatch(/no member of group "web" is allowed/);
    expect(names(admission.admitted)).toEqual(["web/site"]);
  });
});

describe("collectGroups with a join policy", () => {
  it("keeps refused members out of the group and releases a refused member's finalizer", () => {
    const site = member("web", "site", "2026-01-01T00:00:00Z");
    const intruder: Ingress = {
      ...member("shop", "cart", "2026-01-02T00:00:00Z"),
      metadata: {
        ...member("shop", "cart", "2026-01-02T00:00:00Z").metadata,
        finalizers: ["group.gannet.io/web"],
      },
    };
    const [group] = collectGroups({ ingresses: [site, intruder], ingressClasses: [gannetClass()] });
    expect(group?.group).toBe("web");
    expect(names(group?.members ?? [])).toEqual(["web/site"]);
    expect(names(group?.refused ?? [])).toEqual(["shop/cart"]);
    expect(names(group?.leaving ?? [])).toEqual(["shop/cart"]);
    expect(group?.problems.map((p) => p.ingress)).toEqual(["shop/cart"]);
  });

  it("reads the policy from the ConfigMap the IngressClass names", () => {
    const [group] = collectGroups({
      ingresses: [
        member("web", "site", "2026-01-01T00:00:00Z"),
        member("shop", "cart", "2026-01-02T00:00:00Z"),
      ],
      ingressClasses: [gannetClass(params)],
      classParameters: [configMap({ "allowed-namespaces.web": "web,shop" })],
    });
    expect(names(group?.members ?? [])).toEqual(["shop/cart", "web/site"]);
    expect(group?.refused).toEqual([]);
  });
});
