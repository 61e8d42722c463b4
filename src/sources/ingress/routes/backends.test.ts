import { describe, expect, it } from "vitest";
import type { EndpointSlice, IngressBackend } from "../../../model/kube-objects.ts";
import { backend, endpointSlice, ingress, service } from "../../../testing/test-fixtures.ts";
import { buildTargets, resolveBackend } from "./backends.ts";

const web = service("web", [
  { name: "http", port: 80, targetPort: 8080 },
  { name: "admin", port: 9000, targetPort: "admin" },
  { port: 81 },
]);
const ing = ingress("a");
const FIELD = "spec.rules[0].http.paths[0].backend";

describe("resolveBackend: port resolution", () => {
  it.each([
    ["by number", backend("web", 80), "apps/web:80", "http"],
    ["by name", backend("web", "http"), "apps/web:http", "http"],
    ["by name, another port", backend("web", "admin"), "apps/web:admin", "admin"],
    ["by number, an unnamed port", backend("web", 81), "apps/web:81", undefined],
  ])("%s", (_, b, key, portName) => {
    const result = resolveBackend(ing, b, FIELD, [service("other"), web]);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.key).toBe(key);
      expect(result.servicePort.name).toBe(portName);
      expect(result.service).toBe(web);
    }
  });

  it.each<[string, IngressBackend, string, string, string, string]>([
    [
      "a missing Service",
      backend("nope", 80),
      ".service.name",
      "nope",
      "Service apps/nope not found; the path answers 503 until it exists: create it or fix the backend's service name",
      "Backend service apps/nope not found",
    ],
    [
      "a missing port number",
      backend("web", 8080),
      ".service.port.number",
      "8080",
      'Service apps/web has no port "8080" (its ports: 80 (http), 9000 (admin), 81); the path answers 503: use one of its ports',
      "Backend service apps/web port 8080 not found",
    ],
    [
      "a missing port name",
      backend("web", "https"),
      ".service.port.name",
      "https",
      'Service apps/web has no port "https" (its ports: 80 (http), 9000 (admin), 81); the path answers 503: use one of its ports',
      "Backend service apps/web port https not found",
    ],
    [
      "a resource backend",
      { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket", name: "static" } },
      ".resource",
      "StorageBucket/static",
      "resource backends are not supported; the path answers 503: point it at a Service port",
      "Backend resource StorageBucket/static is not supported",
    ],
  ])("%s → 503 and a rule Problem", (_, b, suffix, value, message, body) => {
    expect(resolveBackend(ing, b, FIELD, [web])).toEqual({
      ok: false,
      action: { type: "fixed-response", statusCode: "503", contentType: "text/plain", messageBody: body },
      problem: { ingress: "apps/a", field: `${FIELD}${suffix}`, value, message, scope: "rule" },
    });
  });

  it("looks for the Service in the Ingress's namespace only", () => {
    const elsewhere = { ...web, metadata: { ...web.metadata, namespace: "other" } };
    expect(resolveBackend(ing, backend("web", 80), FIELD, [elsewhere]).ok).toBe(false);
  });
});

describe("buildTargets: endpoint readiness", () => {
  it.each([
    ["ready", { ready: true }, true],
    ["ready unset", {}, true],
    ["not ready", { ready: false }, false],
    ["terminating", { ready: true, terminating: true }, false],
    ["not ready and terminating", { ready: false, terminating: true }, false],
  ])("%s → registered: %s", (_, conditions, registered) => {
    const slice = endpointSlice("web", [{ ip: "10.0.0.1", ...conditions }], [{ name: "http", port: 8080 }]);
    const targets = buildTargets(web, { name: "http", port: 80, targetPort: 8080 }, [slice]);
    expect(targets).toEqual(registered ? [{ id: "10.0.0.1", port: 8080 }] : []);
  });
});

describe("buildTargets: ports and slices", () => {
  const ready = [{ ip: "10.0.0.2" }, { ip: "10.0.0.1" }];
  it.each<
    [
      string,
      { name?: string; port: number; targetPort?: number | string },
      { name?: string; port: number }[],
      number | undefined,
    ]
  >([
    [
      "slice port matched by name",
      { name: "http", port: 80, targetPort: "web" },
      [{ name: "http", port: 8000 }],
      8000,
    ],
    [
      "unnamed Service port matches an unnamed slice port",
      { port: 80, targetPort: 3000 },
      [{ port: 3001 }],
      3001,
    ],
    [
      'unnamed Service port matches a slice port named ""',
      { port: 80, targetPort: 3000 },
      [{ name: "", port: 3002 }],
      3002,
    ],
    [
      "no slice port by name: numeric targetPort",
      { name: "http", port: 80, targetPort: 8080 },
      [{ name: "other", port: 1 }],
      8080,
    ],
    ["no slice port by name: no targetPort means the Service port", { name: "http", port: 80 }, [], 80],
    [
      "no slice port by name and a named targetPort: no targets",
      { name: "http", port: 80, targetPort: "web" },
      [{ name: "x", port: 1 }],
      undefined,
    ],
  ])("%s", (_, servicePort, slicePorts, port) => {
    const targets = buildTargets(web, servicePort, [endpointSlice("web", ready, slicePorts)]);
    expect(targets).toEqual(
      port === undefined
        ? []
        : [
            { id: "10.0.0.1", port },
            { id: "10.0.0.2", port },
          ],
    );
  });

  it("merges slices, skips other Services, namespaces and address types, and sorts without duplicates", () => {
    const port = { name: "http", port: 80, targetPort: 8080 };
    const ports = [{ name: "http", port: 8080 }];
    const v6: EndpointSlice = {
      ...endpointSlice("web", [{ ip: "fd00::1" }], ports, "web-v6"),
      addressType: "IPv6",
    };
    const otherNs: EndpointSlice = {
      ...endpointSlice("web", [{ ip: "10.9.9.9" }], ports, "web-x"),
      metadata: { namespace: "other", name: "web-x", labels: { "kubernetes.io/service-name": "web" } },
    };
    const slices = [
      endpointSlice("web", [{ ip: "10.0.0.10" }, { ip: "10.0.0.9" }], ports, "web-1"),
      endpointSlice("web", [{ ip: "10.0.0.9" }, { ip: "10.0.0.1" }], ports, "web-2"),
      endpointSlice("api", [{ ip: "10.0.0.5" }], ports),
      v6,
      otherNs,
    ];
    expect(buildTargets(web, port, slices)).toEqual([
      { id: "10.0.0.1", port: 8080 },
      { id: "10.0.0.10", port: 8080 },
      { id: "10.0.0.9", port: 8080 },
    ]);
  });
});
