import { describe, expect, it } from "vitest";
import type { DesiredListener } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { applySslRedirect } from "../../../model/listeners/https-redirect.ts";
import { readSslRedirect } from "./ssl-redirect.ts";

const ingress = (value?: string): Ingress => ({
  metadata: {
    namespace: "ns",
    name: "a",
    ...(value === undefined ? {} : { annotations: { "alb.ingress.kubernetes.io/ssl-redirect": value } }),
  },
  spec: {},
});

const http: DesiredListener = {
  port: 80,
  protocol: "HTTP",
  defaultActions: [{ type: "fixed-response", statusCode: "404" }],
  rules: [{ order: 0, conditions: [], actions: [], source: { ingress: "ns/a", field: "f" } }],
};
const https: DesiredListener = { ...http, port: 443, protocol: "HTTPS", certificateArns: ["arn:c"] };

describe("ssl-redirect", () => {
  it.each([
    { value: "443", port: 443, problems: 0 },
    { value: " 8443 ", port: 8443, problems: 0 },
    { value: "https", port: undefined, problems: 1 },
    { value: "70000", port: undefined, problems: 1 },
    { value: undefined, port: undefined, problems: 0 },
  ])("reads $value", ({ value, port, problems }) => {
    const read = readSslRedirect([ingress(value)]);

    expect(read.port).toBe(port);
    expect(read.problems).toHaveLength(problems);
  });

  it("redirects every HTTP request once the HTTPS listener exists", () => {
    const [redirected, secure] = applySslRedirect([http, https], 443);

    expect(redirected).toEqual({
      ...http,
      defaultActions: [{ type: "redirect", statusCode: "HTTP_301", protocol: "HTTPS", port: "443" }],
      rules: [],
    });
    expect(secure).toEqual(https);
  });

  it("leaves HTTP alone while no HTTPS listener serves that port (certificate pending)", () => {
    expect(applySslRedirect([http], 443)).toEqual([http]);
  });
});
