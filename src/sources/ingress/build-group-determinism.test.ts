import { describe, expect, it } from "vitest";
import {
  alb,
  backend,
  CONTEXT,
  endpointSlice,
  ingress,
  path,
  service,
  shuffle,
} from "../../testing/test-fixtures.ts";
import { buildDesiredGroup, type GroupInput } from "./build-group.ts";

const services = [
  service("web"),
  service("api"),
  service("grpc", undefined, alb({ "backend-protocol": "H2" })),
];
const slices = [endpointSlice("web", [{ ip: "10.0.0.1" }]), endpointSlice("api", [{ ip: "10.0.0.2" }])];
const shop = (name: string, order: number, o: Parameters<typeof ingress>[1] = {}) =>
  ingress(name, {
    ...o,
    annotations: alb({ "group.name": "shop", "group.order": String(order), ...(o.annotations ?? {}) }),
  });

describe("buildDesiredGroup: determinism", () => {
  const members = [
    shop("front", 10, {
      annotations: { scheme: "internet-facing", tags: "team=shop,env=prod" },
      defaultBackend: backend("web", 80),
    }),
    shop("cart", 5, {
      annotations: { "listen-ports": '[{"HTTP":80},{"HTTPS":443}]', tags: "team=cart" },
      defaultBackend: backend("api", 80),
      rules: [
        {
          host: "shop.example.com",
          http: {
            paths: [path("/cart", "Prefix", backend("api", 80)), path("/c", "Exact", backend("gone", 1))],
          },
        },
        { host: "bad host", http: { paths: [path("/", "Prefix")] } },
      ],
    }),
    shop("same-order-a", 7, {
      rules: [{ host: "a.example.com", http: { paths: [path("/", "Prefix", backend("grpc", 80))] } }],
    }),
    shop("same-order-b", 7, {
      rules: [{ host: "a.example.com", http: { paths: [path("/", "Prefix", backend("web", 80))] } }],
    }),
    shop("conflict", 7, { annotations: { scheme: "internal" } }),
    shop("leaving", 1, { deleting: true }),
  ];
  const input: GroupInput = {
    group: "shop",
    members,
    services,
    endpointSlices: [
      ...slices,
      endpointSlice("web", [{ ip: "10.0.0.9" }, { ip: "10.0.0.3", ready: false }], undefined, "web-2"),
    ],
    context: CONTEXT,
  };
  const expected = JSON.stringify(buildDesiredGroup(input));

  it("builds something with problems to be worth shuffling", () => {
    const desired = buildDesiredGroup(input);
    expect(desired.problems.length).toBeGreaterThanOrEqual(5);
    expect(desired.targetGroups.length).toBeGreaterThanOrEqual(2);
  });

  it.each(Array.from({ length: 25 }, (_, i) => i + 1))(
    "gives byte-identical JSON with input shuffled by seed %i",
    (seed) => {
      const shuffled: GroupInput = {
        ...input,
        members: shuffle(input.members, seed),
        services: shuffle(input.services, seed * 7),
        endpointSlices: shuffle(input.endpointSlices, seed * 13),
        context: { ...CONTEXT, subnets: shuffle(CONTEXT.subnets, seed * 31) },
      };
      expect(JSON.stringify(buildDesiredGroup(shuffled))).toBe(expected);
    },
  );
});
