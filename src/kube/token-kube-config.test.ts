import { describe, expect, it } from "vitest";
import { buildTokenKubeConfig, retryOnUnauthorized } from "./token-kube-config.ts";

function tokenSource(tokens: string[]) {
  let i = 0;
  let invalidations = 0;
  return {
    token: async () => tokens[Math.min(i, tokens.length - 1)] ?? "",
    invalidate: () => {
      invalidations++;
      i++;
    },
    invalidations: () => invalidations,
  };
}

describe("buildTokenKubeConfig", () => {
  it("sends the token source's current token on every request, and trusts the given CA", async () => {
    const tokens = tokenSource(["k8s-aws-v1.first", "k8s-aws-v1.second"]);
    const ca = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const kc = buildTokenKubeConfig({
      server: "https://api.example.com",
      caData: ca.toString("base64"),
      tokens,
    });

    const first: { headers?: Record<string, unknown>; ca?: unknown } = {};
    await kc.applyToHTTPSOptions(first);
    tokens.invalidate();
    const second: { headers?: Record<string, unknown> } = {};
    await kc.applyToHTTPSOptions(second);

    expect(kc.getCurrentCluster()?.server).toBe("https://api.example.com");
    expect(first.headers?.Authorization).toBe("Bearer k8s-aws-v1.first");
    expect(String(first.ca)).toBe(ca.toString());
    expect(second.headers?.Authorization).toBe("Bearer k8s-aws-v1.second");
  });
});

describe("retryOnUnauthorized", () => {
  it("signs a new token and tries once more after a 401", async () => {
    const tokens = tokenSource(["old", "new"]);
    const seen: string[] = [];
    const result = await retryOnUnauthorized(tokens, async () => {
      const t = await tokens.token();
      seen.push(t);
      if (t === "old") throw Object.assign(new Error("Unauthorized"), { code: 401 });
      return "ok";
    });

    expect(result).toBe("ok");
    expect(seen).toEqual(["old", "new"]);
    expect(tokens.invalidations()).toBe(1);
  });

  it.each([
    ["a second 401", 401],
    ["a 403 (RBAC, not the token)", 403],
  ])("gives up on %s", async (_, code) => {
    const tokens = tokenSource(["a", "b"]);
    await expect(
      retryOnUnauthorized(tokens, async () => {
        throw Object.assign(new Error("no"), { code });
      }),
    ).rejects.toThrow("no");
    expect(tokens.invalidations()).toBe(code === 401 ? 1 : 0);
  });
});
