// Kubernetes adapter: a list-then-watch cache of one resource (an informer), built on client-node's
// Watch (the HTTP stream) with Gannet's own loop, because client-node's ListWatch lists without
// paging, keeps whole objects, stops for good on any error but 410, and backs off before
// reconnecting a quiet watch the server closed (its back-off resets only on events).
//
// This loop lists in pages and trims each object, watches with bookmarks from the listed
// resourceVersion, relists on 410 Gone, and restarts every watch that ends: at once when the watch
// was healthy (ran a while or delivered events), after a jittered back-off when it failed at once.
// The server ends each watch after `timeoutSeconds` (5-10 min, jittered like client-go); the
// client-side inactivity timeout only catches a dead connection (bookmarks arrive every minute).

import { type KubeConfig, Watch } from "@kubernetes/client-node";
import { statusCodeOf } from "./kube-port.ts";

/** One page of a list call. */
export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continue?: string | undefined;
}

/** Receives the changes of the cache. */
export interface InformerHandler<T> {
  upsert(obj: T): void;
  remove(obj: T): void;
}

/** Why a watch was restarted. */
export type RestartReason = "closed" | "timeout" | "gone" | "error";

/** Hooks for metrics and logs. */
export interface InformerHooks {
  /** One Kubernetes API call made (a list page or a watch request). */
  onCall?(verb: "list" | "watch", result: "success" | "error"): void;
  /** A watch ended and another one is open again, `gapMs` later (events meanwhile wait that long). */
  onRestart?(reason: RestartReason, gapMs: number): void;
  onError?(message: string, err: unknown): void;
}

/** The part of client-node's Watch an informer uses (tests wrap it to inject what a server rarely does). */
export interface WatchLike {
  watch(
    path: string,
    params: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, obj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController>;
}

/** What an informer watches, and how. */
export interface InformerOptions<T> extends InformerHooks {
  readonly config: KubeConfig;
  /** The watch path, e.g. `/apis/networking.k8s.io/v1/ingresses`. */
  readonly path: string;
  readonly list: (page: { readonly limit: number; readonly continue?: string }) => Promise<ListPage>;
  readonly trim: (raw: unknown) => T;
  readonly handler: InformerHandler<T>;
  /** Objects per list page; default 500. */
  readonly pageSize?: number;
  /** Server-side watch timeout, jittered up to twice; default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** Client-side inactivity timeout of a watch; default 90 s (bookmarks come every minute). */
  readonly inactivityTimeoutMs?: number;
  /** Wraps the watch (fault injection in tests); default client-node's Watch. */
  readonly wrapWatch?: (watch: WatchLike) => WatchLike;
}

interface Keyed {
  readonly metadata: {
    readonly namespace?: string;
    readonly name: string;
    readonly resourceVersion?: string;
  };
}

interface WatchEnd {
  readonly err: unknown;
  readonly reason: RestartReason;
  readonly healthy: boolean;
}

const keyOf = (o: Keyed) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** A list-then-watch cache of one resource. */
export class Informer<T extends Keyed> {
  private readonly opts: InformerOptions<T>;
  private readonly watch: WatchLike;
  private readonly objects = new Map<string, T>();
  private resourceVersion = "";
  private stopped = false;
  private request: AbortController | undefined;
  private wakeSleep: (() => void) | undefined;
  private failures = 0;
  private markSynced: () => void = () => {};
  private loop: Promise<void> | undefined;
  /** Resolves once the first list is in the cache. */
  readonly synced: Promise<void>;

  constructor(opts: InformerOptions<T>) {
    this.opts = opts;
    const watch = new Watch(opts.config);
    // client-node keeps its 30 s inactivity timeout in a private field; left alone, it cuts every
    // quiet watch twice a minute although the server's bookmarks prove the connection alive.
    const tunable = watch as unknown as { requestTimeoutMs?: number };
    if (typeof tunable.requestTimeoutMs === "number")
      tunable.requestTimeoutMs = opts.inactivityTimeoutMs ?? 90_000;
    this.watch = opts.wrapWatch ? opts.wrapWatch(watch) : watch;
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  /** Starts listing and watching in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops watching; the cache keeps its last content. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.request?.abort();
    this.wakeSleep?.();
    await this.loop;
  }

  /** The cached objects. */
  list(): T[] {
    return [...this.objects.values()];
  }

  private async run(): Promise<void> {
    let endedAt: number | undefined;
    let lastReason: RestartReason = "closed";
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        if (this.stopped) break;
        const { ended, opened } = await this.watchOnce();
        if (endedAt !== undefined) this.opts.onRestart?.(lastReason, opened - endedAt);
        const end = await ended;
        if (this.stopped) break;
        endedAt = Date.now();
        lastReason = end.reason;
        if (end.reason === "gone") this.resourceVersion = "";
        if (end.healthy || end.reason === "gone") this.failures = 0;
        else {
          if (end.reason === "error") this.opts.onError?.(`watch ${this.opts.path} failed`, end.err);
          await this.backoff();
        }
      } catch (err) {
        if (this.stopped) break;
        this.opts.onError?.(`list or watch of ${this.opts.path} failed`, err);
        if (statusCodeOf(err) === 410) this.resourceVersion = "";
        endedAt = Date.now();
        lastReason = "error";
        await this.backoff();
      }
    }
  }

  private async relist(): Promise<void> {
    const limit = this.opts.pageSize ?? 500;
    const seen = new Map<string, T>();
    let page: ListPage | undefined;
    let cont: string | undefined;
    do {
      try {
        page = await this.opts.list({ limit, ...(cont ? { continue: cont } : {}) });
        this.opts.onCall?.("list", "success");
      } catch (err) {
        this.opts.onCall?.("list", "error");
        throw err;
      }
      for (const raw of page.items) {
        const obj = this.opts.trim(raw);
        seen.set(keyOf(obj), obj);
      }
      cont = page.continue || undefined;
    } while (cont && !this.stopped);
    for (const [key, old] of this.objects) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.opts.handler.remove(old);
      }
    }
    for (const [key, obj] of seen) {
      const old = this.objects.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.objects.set(key, obj);
      this.opts.handler.upsert(obj);
    }
    this.resourceVersion = page?.resourceVersion ?? "";
    this.markSynced();
  }

  /** Opens one watch; `ended` resolves when it ends, with why and whether it was healthy. */
  private async watchOnce(): Promise<{ ended: Promise<WatchEnd>; opened: number }> {
    const started = Date.now();
    let events = 0;
    let gone = false;
    let finish: (end: WatchEnd) => void = () => {};
    const ended = new Promise<WatchEnd>((resolve) => {
      finish = resolve;
    });
    const base = this.opts.watchTimeoutSeconds ?? 300;
    const params = {
      allowWatchBookmarks: true,
      resourceVersion: this.resourceVersion,
      timeoutSeconds: Math.round(base * (1 + Math.random())),
    };
    const onEvent = (type: string, obj: unknown) => {
      events++;
      if (type === "ERROR") {
        if ((obj as { code?: number } | undefined)?.code === 410) gone = true;
        return;
      }
      const rv = (obj as Keyed | undefined)?.metadata?.resourceVersion;
      if (type === "ADDED" || type === "MODIFIED") {
        const trimmed = this.opts.trim(obj);
        this.objects.set(keyOf(trimmed), trimmed);
        this.opts.handler.upsert(trimmed);
      } else if (type === "DELETED") {
        const trimmed = this.opts.trim(obj);
        const key = keyOf(trimmed);
        const old = this.objects.get(key) ?? trimmed;
        this.objects.delete(key);
        this.opts.handler.remove(old);
      }
      if (rv) this.resourceVersion = rv;
    };
    let endedWith: unknown;
    const onDone = (err: unknown) => {
      this.request = undefined;
      endedWith = err ?? null;
      const ranMs = Date.now() - started;
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      const status = statusCodeOf(err);
      const reason: RestartReason =
        gone || status === 410 ? "gone" : timedOut ? "timeout" : err ? "error" : "closed";
      // A watch that ran a while or delivered events was healthy: reconnect at once. One that ended
      // at once (a refused request, a server closing immediately) backs off.
      const healthy = reason !== "error" ? ranMs >= 1000 || events > 0 : ranMs >= 10_000 || events > 0;
      finish({ err, reason, healthy });
    };
    try {
      this.request = await this.watch.watch(this.opts.path, params, onEvent, onDone);
      // Watch reports a refused request (403, 410, a connection error) through `done`, not by throwing.
      this.opts.onCall?.("watch", endedWith ? "error" : "success");
    } catch (err) {
      this.opts.onCall?.("watch", "error");
      onDone(err);
    }
    if (this.stopped) this.request?.abort();
    return { ended, opened: Date.now() };
  }

  private async backoff(): Promise<void> {
    if (this.stopped) return;
    this.failures++;
    const cap = Math.min(30_000, 500 * 2 ** Math.min(this.failures - 1, 10));
    const ms = cap / 2 + (Math.random() * cap) / 2;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeSleep = undefined;
  }
}
