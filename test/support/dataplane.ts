// Test support: real HTTP through the emulated ALB data plane (test/dataplane), which serves every ALB of
// the testbed's LocalStack on loopback. The admin endpoint (its URL is provided by the global setup) says
// where each listener is served.

import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { inject } from "vitest";
import { eventually } from "./controller.ts";

/** One listener the data plane serves. */
export interface ServedListener {
  readonly dnsName: string;
  readonly port: number;
  readonly protocol: string;
  /** Where it is served, e.g. `http://127.2.0.4` or `https://127.2.0.4`. */
  readonly url: string;
}

interface AdminStatus {
  readonly listeners: readonly ServedListener[];
  readonly caCertificate: string;
}

async function readStatus(follow?: string): Promise<AdminStatus> {
  const query = follow ? `?follow=${encodeURIComponent(follow)}` : "";
  const res = await fetch(`${inject("dataplane")}/status${query}`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as AdminStatus;
}

/**
 * The listener of the ALB with this DNS name that a client reaches: HTTPS when the ALB has it (an HTTP
 * listener may only redirect there), else HTTP. Waits for the data plane to serve it.
 */
export async function servedListener(dnsName: string): Promise<ServedListener> {
  return eventually(`the data plane serves ${dnsName}`, async () => {
    // Asking for it makes the data plane follow this ALB's changes every poll.
    const mine = (await readStatus(dnsName)).listeners.filter((l) => l.dnsName === dnsName);
    return mine.find((l) => l.protocol === "HTTPS") ?? mine.find((l) => l.protocol === "HTTP");
  });
}

/** What the data plane answered. */
export interface Answer {
  readonly status: number;
  readonly location?: string;
  /** The echo server's JSON (`pod`, `namespace`, `path`, `host`, ...), when a Pod answered. */
  readonly echo?: { readonly pod?: string; readonly namespace?: string; readonly path?: string };
}

let ca: Buffer | undefined;

/** Sends one request for `host` and `path` to a served listener (SNI and Host set to the host). */
export async function sendThrough(
  listener: ServedListener,
  req: { readonly host: string; readonly path: string; readonly headers?: Record<string, string> },
): Promise<Answer> {
  const url = new URL(req.path, listener.url);
  const tls = listener.protocol === "HTTPS";
  if (tls && !ca) ca = readFileSync((await readStatus()).caCertificate);
  const options = {
    method: "GET",
    headers: { ...req.headers, host: req.host },
    timeout: 10_000,
    ...(tls ? { servername: req.host, ca } : {}),
  };
  return new Promise((resolve, reject) => {
    const r = (tls ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => {
        let echo: Answer["echo"];
        try {
          const parsed = JSON.parse(body) as Answer["echo"];
          if (parsed && typeof parsed === "object" && "pod" in parsed) echo = parsed;
        } catch {
          // Not an echo server's answer (a fixed response, an ALB error page).
        }
        resolve({
          status: res.statusCode ?? 0,
          ...(res.headers.location ? { location: res.headers.location } : {}),
          ...(echo ? { echo } : {}),
        });
      });
    });
    r.on("timeout", () => r.destroy(new Error(`no answer from ${url} (Host ${req.host}) in 10 s`)));
    r.on("error", reject);
    r.end();
  });
}
