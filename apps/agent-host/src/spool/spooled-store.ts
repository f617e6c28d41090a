import { randomUUID } from 'node:crypto';
import { isStoreError, type NewAlert, type StoredAlert } from '@sbx/store';
import { describeError, type Logger, type ProvisionResult, type SandboxPerfRecord } from '@sbx/timing';
import type { ResultSpool } from './result-spool.js';
import type { SpoolEntry, SpoolKind } from './spool-file.js';
import { reviveResult, spoolableResult } from './spool-result.js';

/** Where results go when the store takes them: the repositories' write calls, each under a given id. */
export interface SpoolTargets {
  provision(result: ProvisionResult, id: string): Promise<void>;
  perf(record: SandboxPerfRecord, id: string): Promise<void>;
  alert(alert: NewAlert, id: string): Promise<StoredAlert | undefined>;
}

/** The store as `/healthz` tells it: `ok`, `degraded` while results wait in the spool, `down` when it is full. */
export interface StoreHealth {
  status: 'ok' | 'degraded' | 'down';
  /** Results waiting in the spool. */
  spooled: number;
  /** Age of the oldest of them in seconds (0 when none). */
  oldestAgeSeconds: number;
  /** Why it is `down`. */
  reason?: string;
}

/** Options of a `SpooledStore`. */
export interface SpooledStoreDeps {
  spool: ResultSpool;
  targets: SpoolTargets;
  logger: Logger;
  /** A store write that has not settled after this long is spooled (default 2,000 ms); it stays idempotent. */
  writeTimeoutMs?: number;
  /** Longest pause between two flush attempts while the store is away (default 1,000 ms). */
  maxBackoffMs?: number;
  now?: () => number;
}

const FIRST_BACKOFF_MS = 100;

/**
 * The write path of every result: the store when it answers, else the spool (fsynced before the caller is
 * answered), flushed to the store in order once it is back, each entry under its own id, so a replay stores
 * nothing twice. While anything is spooled, new results queue behind it (order kept). A spool that cannot
 * take more makes `refusal` say why; the host then refuses new provisionings (503 `STORE_UNAVAILABLE`).
 */
export class SpooledStore {
  readonly #deps: SpooledStoreDeps;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(deps: SpooledStoreDeps) {
    this.#deps = deps;
    if (deps.spool.depth > 0) this.#startFlush();
  }

  /** Why new work must be refused (the store is away and the spool cannot take more), or undefined. */
  get refusal(): string | undefined {
    // With nothing spooled the store took the last result itself: a refused append then lost one result (logged),
    // and the next one tries the store again.
    return this.#deps.spool.depth > 0 ? this.#deps.spool.refusal : undefined;
  }

  /** The store's state for `/healthz` and `/metrics`. */
  health(): StoreHealth {
    const { spool } = this.#deps;
    const oldest = spool.oldest;
    const now = this.#deps.now?.() ?? Date.now();
    const oldestAgeSeconds = oldest ? Math.max(0, (now - oldest.at) / 1000) : 0;
    const reason = this.refusal;
    if (reason !== undefined) {
      return { status: 'down', spooled: spool.depth, oldestAgeSeconds, reason };
    }
    return { status: spool.depth > 0 ? 'degraded' : 'ok', spooled: spool.depth, oldestAgeSeconds };
  }

  /** Stores a provisioning result, or spools it. */
  async provision(result: ProvisionResult): Promise<void> {
    await this.#write('provision', result);
  }

  /** Stores a perf record, or spools it. */
  async perf(record: SandboxPerfRecord): Promise<void> {
    await this.#write('perf', record);
  }

  /** Stores an alert (resolving to it with its id), or spools it (resolving to it with id 0). */
  async alert(alert: NewAlert): Promise<StoredAlert> {
    const stored = await this.#write('alert', alert);
    return (stored as StoredAlert | undefined) ?? { ...alert, id: 0, createdAt: new Date() };
  }

  /** Resolves once the spool is empty, or false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#deps.spool.depth > 0 && Date.now() < deadline) {
      this.#wake?.();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.#deps.spool.depth === 0;
  }

  /** Tries to flush within `timeoutMs`, stops the flush loop and closes the spool (what is left stays on disk). */
  async close(options: { timeoutMs?: number } = {}): Promise<number> {
    await this.drain(options.timeoutMs ?? 0);
    this.#closed = true;
    this.#wake?.();
    await this.#flushing;
    const left = this.#deps.spool.depth;
    if (left > 0) {
      this.#deps.logger.warn(
        `${left} result(s) are still spooled in ${this.#deps.spool.path}; the next start stores them`,
      );
    }
    await this.#deps.spool.close();
    return left;
  }

  async #write(kind: SpoolKind, value: unknown): Promise<unknown> {
    const id = randomUUID();
    const data = kind === 'provision' ? spoolableResult(value as ProvisionResult) : value;
    if (this.#deps.spool.depth === 0) {
      try {
        return await this.#withTimeout(this.#apply(kind, id, data));
      } catch (error) {
        // A caller's bad value is not the store being away: nothing to keep.
        if (isStoreError(error, 'INVALID_INPUT')) throw error;
        this.#deps.logger.warn(`the store could not take a ${kind} result; spooling it`, {
          error: describeError(error),
        });
      }
    }
    await this.#deps.spool.append(kind, id, data);
    this.#startFlush();
    return undefined;
  }

  #apply(kind: SpoolKind, id: string, data: unknown): Promise<unknown> {
    const { targets } = this.#deps;
    if (kind === 'provision') return targets.provision(reviveResult(data), id);
    if (kind === 'perf') return targets.perf(data as SandboxPerfRecord, id);
    return targets.alert(data as NewAlert, id);
  }

  #withTimeout<T>(write: Promise<T>): Promise<T> {
    const ms = this.#deps.writeTimeoutMs ?? 2_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([write, timeout]).finally(() => clearTimeout(timer));
  }

  #startFlush(): void {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
    });
  }

  async #flush(): Promise<void> {
    const { spool, logger } = this.#deps;
    let backoff = FIRST_BACKOFF_MS;
    for (let entry = spool.oldest; entry && !this.#closed; entry = spool.oldest) {
      if (await this.#flushOne(entry)) {
        backoff = FIRST_BACKOFF_MS;
        await spool.ack(entry.n);
        if (spool.depth === 0) logger.warn('the store is back: every spooled result is stored');
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      backoff = Math.min(backoff * 2, this.#deps.maxBackoffMs ?? 1_000);
    }
  }

  async #flushOne(entry: SpoolEntry): Promise<boolean> {
    try {
      await this.#withTimeout(this.#apply(entry.kind, entry.id, entry.data));
      return true;
    } catch (error) {
      if (!isStoreError(error, 'INVALID_INPUT')) return false;
      // Refused as a value (it cannot ever be stored): say so and move on rather than block the spool forever.
      this.#deps.logger.error(`dropped a spooled ${entry.kind} result the store refuses`, {
        error: describeError(error),
      });
      return true;
    }
  }
}
