// The testbed node's pure parts: image references, $(VAR) expansion, probe ports.

import { describe, expect, it } from "vitest";
import { ImageCatalog, imageRepository, TESTBED_ECHO_IMAGE } from "./images.ts";
import { expandReferences } from "./pod-env.ts";
import { resolvePort } from "./probes.ts";

describe("the testbed node's parts", () => {
  it.each([
    ["registry.k8s.io/gateway-api/echo-basic:v1.5.1", "registry.k8s.io/gateway-api/echo-basic"],
    ["gcr.io/k8s-staging-gateway-api/echo-basic@sha256:abc", "gcr.io/k8s-staging-gateway-api/echo-basic"],
    ["localhost:5000/app", "localhost:5000/app"],
    ["nginx", "nginx"],
  ])("reads the repository of %s", (image, repo) => {
    expect(imageRepository(image)).toBe(repo);
  });

  it("maps known images to programs (args kept, command ignored) and nothing else", () => {
    const catalog = new ImageCatalog({ echoBasic: "/bin/echo-basic", node: "/bin/node" });
    expect(catalog.resolve({ image: "gcr.io/k8s-staging-gateway-api/echo-basic:v1", args: ["-x"] })).toEqual({
      command: "/bin/echo-basic",
      args: ["-x"],
    });
    expect(
      catalog.resolve({ image: `${TESTBED_ECHO_IMAGE}:v2`, args: ["--port", "1"] })?.args.slice(1),
    ).toEqual(["--port", "1"]);
    expect(catalog.resolve({ image: "nginx:1.27" })).toBeUndefined();
  });

  it("expands $(VAR) from earlier variables, keeps unknown ones, unescapes $$", () => {
    expect(expandReferences("$(A)-$(B)-$$(A)", { A: "1" })).toBe("1-$(B)-$(A)");
  });

  it("resolves a probe port by number or by container port name", () => {
    const container = { name: "c", ports: [{ name: "http", containerPort: 8080 }] };
    expect(resolvePort(80, container)).toBe(80);
    expect(resolvePort("http", container)).toBe(8080);
    expect(resolvePort("9090", container)).toBe(9090);
    expect(resolvePort("metrics", container)).toBeUndefined();
  });
});
