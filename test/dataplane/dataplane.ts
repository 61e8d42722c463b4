// Emulated ALB data plane: ties it together. Polls the configuration (read-config.ts), keeps one
// TargetGroupRuntime per served target group, and one HTTP or HTTPS server per listener bound on the
// ALB's own loopback address: ALBs get 127.2.0.1, 127.2.0.2, ... in creation order, each address kept for
// the ALB's lifetime; a listener binds its own port there when it can (as root), else a free port.

import type { Server } from "node:http";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { createSecureContext, type SecureContext } from "node:tls";
import { CertificateStore, selectCertificate } from "./certs.ts";
import { ListenerHandler } from "./listener.ts";
import { compileRules } from "./match.ts";
import type { DataplaneConfig, ListenerConfig, LoadBalancerConfig } from "./model.ts";
import { ConfigReader } from "./read-config.ts";
import { type Log, TargetGroupRuntime } from "./targets.ts";

/** How the data plane runs. */
export interface DataplaneOptions {
  readonly endpoint: string;
  readonly region: string;
  /** Milliseconds between polls (hot ALBs are re-read every poll). */
  readonly pollMs: number;
  readonly coldMs: number;
  readonly hotWindowMs: number;
  /** API calls per second that re-reading cold ALBs may take (see read-config.ts). */
  readonly coldCallsPerSecond: number;
  /** Multiplies health-check intervals and timeouts (0.1 = ten times faster than AWS). */
  readonly timeScale: number;
  /** The n-th ALB gets the address 127.2.0.0 + addressOffset + n. */
  readonly addressOffset: number;
  /** Where generated keys and certificates live. */
  readonly certDir: string;
  readonly filter?: (name: string) => boolean;
  /** One line naming these settings, echoed by the admin endpoint (start.sh reuses a data plane by it). */
  readonly settingsKey?: string;
  readonly log: Log;
}

/** One served listener, as the admin endpoint reports it. */
export interface ServedListener {
  readonly loadBalancerName: string;
  readonly loadBalancerArn: string;
  readonly dnsName: string;
  readonly listenerArn: string;
  readonly port: number;
  readonly protocol: string;
  readonly address: string;
  readonly localPort: number;
  readonly url: string;
  /** Responses sent so far, by status code. */
  readonly responses: Readonly<Record<string, number>>;
}

interface Bound {
  server: Server;
  handler: ListenerHandler;
  port: number;
  protocol: string;
  localPort: number;
  config: ListenerConfig;
  contexts: Map<string, SecureContext>;
  defaultCertificate?: string;
}

function addressFor(n: number): string {
  return `127.2.${(n >> 8) & 255}.${n & 255}`;
}

/** The running data plane. */
export class Dataplane {
  readonly #options: DataplaneOptions;
  readonly #reader: ConfigReader;
  readonly #certs: CertificateStore;
  readonly #groups = new Map<string, TargetGroupRuntime>();
  readonly #bound = new Map<string, Bound>();
  readonly #addresses = new Map<string, number>();
  #nextAddress = 1;
  #config: DataplaneConfig = { loadBalancers: [], targetGroups: new Map() };
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** When the last poll ended, and how it went. */
  lastPoll: { at: number; ms: number; error?: string } | undefined;
  polls = 0;

  constructor(options: DataplaneOptions) {
    this.#options = options;
    this.#certs = new CertificateStore(options.certDir);
    this.#reader = new ConfigReader({
      endpoint: options.endpoint,
      region: options.region,
      coldMs: options.coldMs,
      hotWindowMs: options.hotWindowMs,
      coldCallsPerSecond: options.coldCallsPerSecond,
      ...(options.filter ? { filter: options.filter } : {}),
    });
  }

  /** Polls once, serves what it read, and keeps polling every pollMs. */
  async start(): Promise<void> {
    this.#certs.caPath();
    await this.pollOnce();
    const loop = async () => {
      if (this.#stopped) return;
      const t0 = Date.now();
      await this.pollOnce();
      // Polls start every pollMs (a slow poll shortens the wait), with a breather of a quarter poll at least.
      const wait = Math.max(this.#options.pollMs / 4, this.#options.pollMs - (Date.now() - t0));
      if (!this.#stopped) this.#timer = setTimeout(loop, wait);
    };
    this.#timer = setTimeout(loop, this.#options.pollMs);
  }

  /** One poll and the changes it brings to the servers. */
  async pollOnce(): Promise<void> {
    const t0 = Date.now();
    try {
      const { config } = await this.#reader.poll(t0);
      await this.#apply(config);
      const errors = this.#reader.errors;
      this.lastPoll = {
        at: Date.now(),
        ms: Date.now() - t0,
        ...(errors.length ? { error: errors.join("; ") } : {}),
      };
    } catch (err) {
      this.lastPoll = { at: Date.now(), ms: Date.now() - t0, error: (err as Error).message };
      this.#options.log(`poll failed: ${(err as Error).message}`);
    }
    this.polls++;
  }

  async #apply(config: DataplaneConfig): Promise<void> {
    this.#config = config;
    for (const [arn, tg] of config.targetGroups) {
      const live = this.#groups.get(arn);
      if (live) live.update(tg);
      else
        this.#groups.set(
          arn,
          new TargetGroupRuntime(tg, { timeScale: this.#options.timeScale, log: this.#options.log }),
        );
    }
    for (const [arn, live] of this.#groups)
      if (!config.targetGroups.has(arn)) {
        live.close();
        this.#groups.delete(arn);
      }
    const wanted = new Set<string>();
    for (const lb of config.loadBalancers) {
      if (!this.#addresses.has(lb.arn)) this.#addresses.set(lb.arn, this.#nextAddress++);
      for (const l of lb.listeners) {
        wanted.add(l.arn);
        await this.#serve(lb, l);
      }
    }
    for (const [arn, b] of this.#bound)
      if (!wanted.has(arn)) {
        this.#bound.delete(arn);
        await closeServer(b.server);
        this.#options.log(`stopped serving ${b.handler.state.loadBalancer.name}:${b.port}`);
      }
    const live = new Set(config.loadBalancers.map((lb) => lb.arn));
    for (const arn of this.#addresses.keys()) if (!live.has(arn)) this.#addresses.delete(arn);
  }

  async #contextFor(b: Bound, arn: string, names: readonly string[]): Promise<SecureContext> {
    const known = b.contexts.get(arn);
    if (known) return known;
    const pair = await this.#certs.keyPair(arn, names);
    const ctx = createSecureContext({ key: pair.key, cert: pair.cert });
    b.contexts.set(arn, ctx);
    return ctx;
  }

  async #serve(lb: LoadBalancerConfig, l: ListenerConfig): Promise<void> {
    const state = { loadBalancer: lb, listener: l, rules: compileRules(l.rules) };
    for (const r of state.rules)
      if (r.error)
        this.#options.log(`${lb.name}:${l.port} rule ${r.rule.Priority} never matches: ${r.error}`);
    const existing = this.#bound.get(l.arn);
    if (existing && existing.port === l.port && existing.protocol === l.protocol) {
      existing.handler.state = state;
      existing.config = l;
      if (l.protocol === "HTTPS") await this.#setDefaultContext(existing);
      return;
    }
    if (existing) {
      this.#bound.delete(l.arn);
      await closeServer(existing.server);
    }
    const handler = new ListenerHandler(state, this.#groups, this.#options.log);
    // A request marks its ALB in use: its changes (a rollout's targets) are then read every poll.
    const handle: typeof handler.handle = (req, res) => {
      this.#reader.markRequested(handler.state.loadBalancer.arn);
      handler.handle(req, res);
    };
    const contexts = new Map<string, SecureContext>();
    let bound: Bound | undefined;
    const server =
      l.protocol === "HTTPS"
        ? https.createServer(
            {
              SNICallback: (name, cb) => {
                const b = bound;
                if (!b) return cb(null, undefined);
                const cert = selectCertificate(b.config.certificates, name);
                if (!cert) return cb(null, undefined);
                this.#contextFor(b, cert.arn, cert.domainNames).then(
                  (ctx) => cb(null, ctx),
                  (err: Error) => cb(err),
                );
              },
            },
            handle,
          )
        : http.createServer(handle);
    server.keepAliveTimeout = Number(lb.attributes["idle_timeout.timeout_seconds"] ?? "60") * 1000;
    const address = addressFor(this.#options.addressOffset + (this.#addresses.get(lb.arn) ?? 0));
    const localPort = await listen(server, address, l.port).catch(() => listen(server, address, 0));
    bound = { server, handler, port: l.port, protocol: l.protocol, localPort, config: l, contexts };
    if (l.protocol === "HTTPS") await this.#setDefaultContext(bound);
    this.#bound.set(l.arn, bound);
    this.#options.log(
      `serving ${lb.dnsName}:${l.port} (${l.protocol}) on ${urlOf(l.protocol, address, localPort)}`,
    );
  }

  async #setDefaultContext(b: Bound): Promise<void> {
    const cert = selectCertificate(b.config.certificates, undefined);
    if (!cert || b.defaultCertificate === cert.arn) return;
    try {
      const pair = await this.#certs.keyPair(cert.arn, cert.domainNames);
      (b.server as https.Server).setSecureContext({ key: pair.key, cert: pair.cert });
      b.defaultCertificate = cert.arn;
    } catch (err) {
      this.#options.log(
        `${b.handler.state.loadBalancer.name}:${b.port}: no key for ${cert.arn}: ${(err as Error).message}`,
      );
    }
  }

  /** Every served listener. */
  listeners(): ServedListener[] {
    const out: ServedListener[] = [];
    for (const lb of this.#config.loadBalancers)
      for (const l of lb.listeners) {
        const b = this.#bound.get(l.arn);
        if (!b) continue;
        const address = addressFor(this.#options.addressOffset + (this.#addresses.get(lb.arn) ?? 0));
        out.push({
          loadBalancerName: lb.name,
          loadBalancerArn: lb.arn,
          dnsName: lb.dnsName,
          listenerArn: l.arn,
          port: l.port,
          protocol: l.protocol,
          address,
          localPort: b.localPort,
          url: urlOf(l.protocol, address, b.localPort),
          responses: Object.fromEntries(b.handler.statusCounts),
        });
      }
    return out;
  }

  /** Every served target group with its targets' health. */
  targetGroups() {
    return [...this.#groups.values()].map((g) => ({
      arn: g.config.arn,
      name: g.config.name,
      targets: [...g.targets.values()].map((t) => ({
        id: t.id,
        port: t.port,
        state: t.health.state,
        ...(t.health.reason ? { reason: t.health.reason } : {}),
        inflight: t.inflight,
      })),
    }));
  }

  /** What the admin endpoint answers. */
  /** Follows the ALB of this DNS name every poll for the hot window (a client is about to use it). */
  follow(dnsName: string): void {
    this.#reader.follow(dnsName);
  }

  status() {
    const o = this.#options;
    return {
      settings: {
        endpoint: o.endpoint,
        region: o.region,
        pollMs: o.pollMs,
        coldMs: o.coldMs,
        hotWindowMs: o.hotWindowMs,
        coldCallsPerSecond: o.coldCallsPerSecond,
        coldIntervalMs: this.#reader.coldIntervalMs,
        timeScale: o.timeScale,
        key: o.settingsKey ?? "",
      },
      listeners: this.listeners(),
      targetGroups: this.targetGroups(),
      caCertificate: this.#certs.caPath(),
      polls: this.polls,
      apiCalls: this.#reader.calls,
      lastPoll: this.lastPoll,
      memory: { rssBytes: process.memoryUsage().rss, heapUsedBytes: process.memoryUsage().heapUsed },
    };
  }

  /** Stops polling, every server and every health check. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.all([...this.#bound.values()].map((b) => closeServer(b.server)));
    this.#bound.clear();
    for (const g of this.#groups.values()) g.close();
    this.#groups.clear();
  }
}

function urlOf(protocol: string, address: string, port: number): string {
  const scheme = protocol === "HTTPS" ? "https" : "http";
  const dflt = scheme === "https" ? 443 : 80;
  return `${scheme}://${address}${port === dflt ? "" : `:${port}`}`;
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, address, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
