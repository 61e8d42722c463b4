// Emulated ALB data plane: reads what it serves from the ELBv2 and ACM APIs (LocalStack here), as polls.
// Every poll lists the load balancers (one paged call); target group attributes are re-read at most every
// `coldMs` (they rarely change; targets and rules do). Each ALB is then re-read in full (listeners,
// rules, listener certificates, attributes, its target groups with their attributes and targets) when it
// is "hot" — sent a request or asked for (`follow`) within `hotWindowMs` (an ALB in use, by a test or by
// someone trying their Ingresses, follows its changes within a poll), or new or changed within a third of
// it — every poll. A "cold" ALB is re-read every `coldMs`,
// or less often when there are many: cold re-reads share a budget of `coldCallsPerSecond` API calls, since
// a shared LocalStack may hold a hundred stale ALBs, and re-reading them all every few seconds would keep
// it busy for nothing.

import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type Rule,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type {
  DataplaneConfig,
  ListenerCertificate,
  ListenerConfig,
  LoadBalancerConfig,
  TargetGroupConfig,
} from "./model.ts";

/** Where and how often to read. */
export interface ReaderOptions {
  readonly endpoint: string;
  readonly region: string;
  /** Re-read a cold ALB after this long (ms). */
  readonly coldMs: number;
  /** An ALB changed (or created) within this long (ms) is re-read every poll. */
  readonly hotWindowMs: number;
  /** API calls per second that re-reading cold ALBs may take, on average. */
  readonly coldCallsPerSecond: number;
  /** Serve only ALBs whose name passes (all when absent). */
  readonly filter?: (name: string) => boolean;
  /** Calls under way at once. */
  readonly concurrency?: number;
}

interface AlbEntry {
  config: LoadBalancerConfig;
  targetGroups: TargetGroupConfig[];
  fingerprint: string;
  readAt: number;
  changedAt: number;
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function toRecord(attrs: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined) {
  return Object.fromEntries((attrs ?? []).map((a) => [a.Key ?? "", a.Value ?? ""]));
}

/** Forward target group ARNs of a list of rules. */
function forwardedGroups(rules: readonly Rule[]): string[] {
  const arns = new Set<string>();
  for (const rule of rules)
    for (const a of rule.Actions ?? []) {
      if (a.Type !== "forward") continue;
      if (a.TargetGroupArn) arns.add(a.TargetGroupArn);
      for (const t of a.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) arns.add(t.TargetGroupArn);
    }
  return [...arns];
}

/** Reads the served configuration, polling cheaply (see the header). */
export class ConfigReader {
  readonly #elbv2: ElasticLoadBalancingV2Client;
  readonly #acm: ACMClient;
  readonly #options: ReaderOptions;
  readonly #albs = new Map<string, AlbEntry>();
  readonly #requestedAt = new Map<string, number>();
  readonly #followed = new Map<string, number>();
  readonly #certNames = new Map<string, readonly string[]>();
  readonly #tgAttributes = new Map<string, { at: number; attributes: Record<string, string> }>();
  /** API calls made so far. */
  calls = 0;
  /** Errors of the last poll, one line per ALB that could not be read. */
  errors: string[] = [];
  /** How often a cold ALB is re-read now (ms). */
  coldIntervalMs = 0;
  #readCalls = 0;
  #readCount = 0;

  constructor(options: ReaderOptions) {
    this.#options = options;
    const client = {
      region: options.region,
      endpoint: options.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 2,
    };
    this.#elbv2 = new ElasticLoadBalancingV2Client(client);
    this.#acm = new ACMClient(client);
  }

  #send<T>(p: Promise<T>): Promise<T> {
    this.calls++;
    return p;
  }

  async #loadBalancers(): Promise<LoadBalancer[]> {
    const out: LoadBalancer[] = [];
    let marker: string | undefined;
    do {
      const res = await this.#send(
        this.#elbv2.send(
          new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }),
        ),
      );
      out.push(...(res.LoadBalancers ?? []));
      marker = res.NextMarker;
    } while (marker);
    return out.filter(
      (lb) => lb.Type === "application" && (this.#options.filter?.(lb.LoadBalancerName ?? "") ?? true),
    );
  }

  async #rules(listenerArn: string): Promise<Rule[]> {
    const out: Rule[] = [];
    let marker: string | undefined;
    do {
      const res = await this.#send(
        this.#elbv2.send(
          new DescribeRulesCommand({
            ListenerArn: listenerArn,
            PageSize: 400,
            ...(marker ? { Marker: marker } : {}),
          }),
        ),
      );
      out.push(...(res.Rules ?? []));
      marker = res.NextMarker;
    } while (marker);
    return out;
  }

  async #certificateNames(arn: string): Promise<readonly string[]> {
    const known = this.#certNames.get(arn);
    if (known) return known;
    const res = await this.#send(this.#acm.send(new DescribeCertificateCommand({ CertificateArn: arn })));
    const c = res.Certificate;
    const names = [
      ...new Set([c?.DomainName ?? "", ...(c?.SubjectAlternativeNames ?? [])].filter((n) => n !== "")),
    ];
    this.#certNames.set(arn, names);
    return names;
  }

  async #listener(l: Listener): Promise<ListenerConfig> {
    const rules = await this.#rules(l.ListenerArn ?? "");
    const certificates: ListenerCertificate[] = [];
    if (l.Protocol === "HTTPS") {
      // DescribeListeners names the default certificate; DescribeListenerCertificates lists them all.
      const defaultArn = l.Certificates?.[0]?.CertificateArn ?? "";
      const res = await this.#send(
        this.#elbv2.send(new DescribeListenerCertificatesCommand({ ListenerArn: l.ListenerArn ?? "" })),
      );
      const arns = [defaultArn, ...(res.Certificates ?? []).map((c) => c.CertificateArn ?? "")].filter(
        (a) => a !== "",
      );
      for (const arn of [...new Set(arns)])
        certificates.push({
          arn,
          isDefault: arn === defaultArn,
          domainNames: await this.#certificateNames(arn),
        });
    }
    return {
      arn: l.ListenerArn ?? "",
      port: l.Port ?? 0,
      protocol: l.Protocol ?? "HTTP",
      certificates,
      rules,
    };
  }

  async #targetGroupsByArn(arns: readonly string[]): Promise<TargetGroup[]> {
    const out: TargetGroup[] = [];
    for (let i = 0; i < arns.length; i += 20) {
      const chunk = arns.slice(i, i + 20);
      try {
        const res = await this.#send(
          this.#elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: chunk })),
        );
        out.push(...(res.TargetGroups ?? []));
      } catch {
        // One deleted group fails the whole call: read them one by one, skipping the missing.
        for (const arn of chunk) {
          const res = await this.#send(
            this.#elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })),
          ).catch(() => undefined);
          out.push(...(res?.TargetGroups ?? []));
        }
      }
    }
    return out;
  }

  /** A target group's attributes, re-read at most every coldMs: they change rarely, targets often. */
  async #targetGroupAttributes(arn: string): Promise<Record<string, string>> {
    const known = this.#tgAttributes.get(arn);
    if (known && Date.now() - known.at < this.#options.coldMs) return known.attributes;
    const res = await this.#send(
      this.#elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
    );
    const attributes = toRecord(res.Attributes);
    this.#tgAttributes.set(arn, { at: Date.now(), attributes });
    return attributes;
  }

  async #targetGroup(tg: TargetGroup): Promise<TargetGroupConfig> {
    const arn = tg.TargetGroupArn ?? "";
    const [attributes, health] = await Promise.all([
      this.#targetGroupAttributes(arn),
      this.#send(this.#elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))),
    ]);
    return {
      arn,
      name: tg.TargetGroupName ?? "",
      protocol: tg.Protocol ?? "HTTP",
      port: tg.Port ?? 80,
      targetType: tg.TargetType ?? "instance",
      healthCheck: {
        enabled: tg.HealthCheckEnabled ?? true,
        protocol: tg.HealthCheckProtocol ?? "HTTP",
        port: tg.HealthCheckPort ?? "traffic-port",
        path: tg.HealthCheckPath ?? "/",
        intervalSeconds: tg.HealthCheckIntervalSeconds ?? 30,
        timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 5,
        healthyThreshold: tg.HealthyThresholdCount ?? 5,
        unhealthyThreshold: tg.UnhealthyThresholdCount ?? 2,
        httpCode: tg.Matcher?.HttpCode ?? "200",
      },
      attributes,
      targets: (health.TargetHealthDescriptions ?? [])
        .filter((d) => d.TargetHealth?.State !== "draining")
        .map((d) => ({ id: d.Target?.Id ?? "", port: d.Target?.Port ?? tg.Port ?? 80 }))
        .sort((a, b) => `${a.id}:${a.port}`.localeCompare(`${b.id}:${b.port}`)),
    };
  }

  async #readAlb(lb: LoadBalancer): Promise<Omit<AlbEntry, "readAt" | "changedAt">> {
    const arn = lb.LoadBalancerArn ?? "";
    const [listeners, attrs] = await Promise.all([
      this.#send(this.#elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))),
      this.#send(this.#elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))),
    ]);
    const listenerConfigs = await Promise.all((listeners.Listeners ?? []).map((l) => this.#listener(l)));
    listenerConfigs.sort((a, b) => a.port - b.port || a.arn.localeCompare(b.arn));
    const tgArns = forwardedGroups(listenerConfigs.flatMap((l) => l.rules));
    const groups = await this.#targetGroupsByArn(tgArns);
    const targetGroups = await pool(groups, this.#options.concurrency ?? 4, (tg) => this.#targetGroup(tg));
    const config: LoadBalancerConfig = {
      arn,
      name: lb.LoadBalancerName ?? "",
      dnsName: lb.DNSName ?? "",
      createdTime: lb.CreatedTime?.getTime() ?? 0,
      attributes: toRecord(attrs.Attributes),
      listeners: listenerConfigs,
    };
    return { config, targetGroups, fingerprint: JSON.stringify([config, targetGroups]) };
  }

  /** Marks the ALB of this DNS name in use (a client is about to send requests), as `markRequested`. */
  follow(dnsName: string, now = Date.now()): void {
    this.#followed.set(dnsName, now);
  }

  /** Marks an ALB in use (it was sent a request): it is re-read every poll for `hotWindowMs` from now. */
  markRequested(arn: string, now = Date.now()): void {
    this.#requestedAt.set(arn, now);
  }

  /** One poll: the configuration to serve now, and the ARNs of ALBs whose configuration changed. */
  async poll(now = Date.now()): Promise<{ config: DataplaneConfig; changed: string[] }> {
    this.errors = [];
    const lbs = await this.#loadBalancers();
    const seen = new Set(lbs.map((lb) => lb.LoadBalancerArn ?? ""));
    for (const arn of this.#albs.keys()) if (!seen.has(arn)) this.#albs.delete(arn);
    for (const arn of this.#requestedAt.keys()) if (!seen.has(arn)) this.#requestedAt.delete(arn);
    for (const [dns, at] of this.#followed)
      if (now - at > this.#options.hotWindowMs) this.#followed.delete(dns);
    for (const [arn, a] of this.#tgAttributes)
      if (now - a.at > 10 * this.#options.coldMs) this.#tgAttributes.delete(arn);
    const used = (e: AlbEntry) =>
      Math.max(this.#requestedAt.get(e.config.arn) ?? 0, this.#followed.get(e.config.dnsName) ?? 0);
    // New and changed ALBs stay hot briefly: a LocalStack that tests fill with ALBs is not re-read for nothing.
    const isHot = (e: AlbEntry) =>
      now - used(e) < this.#options.hotWindowMs || now - e.changedAt < this.#options.hotWindowMs / 3;
    const cold = [...this.#albs.values()].filter((e) => !isHot(e)).length;
    const callsPerRead = this.#readCount > 0 ? this.#readCalls / this.#readCount : 10;
    const coldInterval = Math.max(
      this.#options.coldMs,
      (cold * callsPerRead * 1000) / this.#options.coldCallsPerSecond,
    );
    this.coldIntervalMs = Math.round(coldInterval);
    const due = lbs.filter((lb) => {
      const e = this.#albs.get(lb.LoadBalancerArn ?? "");
      return !e || isHot(e) || now - e.readAt >= coldInterval;
    });
    const changed: string[] = [];
    await pool(due, this.#options.concurrency ?? 4, async (lb) => {
      const arn = lb.LoadBalancerArn ?? "";
      try {
        const before = this.calls;
        const read = await this.#readAlb(lb);
        this.#readCalls += this.calls - before;
        this.#readCount++;
        const known = this.#albs.get(arn);
        const isChange = known?.fingerprint !== read.fingerprint;
        if (isChange) changed.push(arn);
        // A newly seen ALB is hot only if it was created recently (not when the data plane just started).
        const changedAt = !known ? (lb.CreatedTime?.getTime() ?? now) : isChange ? now : known.changedAt;
        this.#albs.set(arn, { ...read, readAt: now, changedAt });
      } catch (err) {
        // Deleted while being read, or a passing error: keep what was read before, try again next poll.
        this.errors.push(`${lb.LoadBalancerName}: ${(err as Error).message}`);
      }
    });
    const targetGroups = new Map<string, TargetGroupConfig>();
    // A target group read with several ALBs: the latest read wins.
    const byAge = [...this.#albs.values()].sort((a, b) => a.readAt - b.readAt);
    for (const e of byAge) for (const tg of e.targetGroups) targetGroups.set(tg.arn, tg);
    const loadBalancers = [...this.#albs.values()]
      .map((e) => e.config)
      .sort((a, b) => a.createdTime - b.createdTime || a.arn.localeCompare(b.arn));
    return { config: { loadBalancers, targetGroups }, changed };
  }
}
