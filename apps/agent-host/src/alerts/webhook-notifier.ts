import { type Clock, describeError, type Logger, systemClock } from '@sbx/timing';
import type { AlertNotice } from './alert-notice.js';

/** Options of a `WebhookNotifier`. */
export interface WebhookNotifierOptions {
  url: string;
  /** Attempts per message, the first included (default 3). */
  attempts?: number;
  /** Wait before the second attempt, doubled each time (default 500 ms). */
  backoffMs?: number;
  /** After a message is sent for a kind of alert, further ones of that kind are only counted for this long (default 60 s). */
  cooldownMs?: number;
  /** Bound of one HTTP attempt (default 5 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  logger: Logger;
}

/** What one `notify()` did. */
export type NotifyOutcome = 'sent' | 'suppressed' | 'failed';

/**
 * Posts alerts to a webhook as JSON, retrying failures (network errors, 429 and 5xx) with backoff, and keeping
 * a cooldown per alert kind and sandbox type so a storm sends one message; the next message after the cooldown
 * says how many were suppressed.
 */
export class WebhookNotifier {
  readonly #o: Required<Omit<WebhookNotifierOptions, 'logger'>> & { logger: Logger };
  readonly #lastSent = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();
  readonly #aborted = new AbortController();

  constructor(options: WebhookNotifierOptions) {
    const url = new URL(options.url); // throws on a malformed URL at startup, not at the first alert
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`webhook URL must be http(s): ${options.url}`);
    this.#o = {
      attempts: 3,
      backoffMs: 500,
      cooldownMs: 60_000,
      timeoutMs: 5_000,
      fetch: globalThis.fetch.bind(globalThis),
      clock: systemClock,
      sleep: (ms) => abortableSleep(ms, this.#aborted.signal),
      ...options,
    };
  }

  /** Sends `notice` unless its kind is cooling down; never throws (a failure is logged). */
  async notify(notice: AlertNotice): Promise<NotifyOutcome> {
    const key = `${notice.kind}:${notice.sandboxType ?? ''}`;
    const now = this.#o.clock.now();
    const last = this.#lastSent.get(key);
    if (last !== undefined && now - last < this.#o.cooldownMs) {
      this.#suppressed.set(key, (this.#suppressed.get(key) ?? 0) + 1);
      return 'suppressed';
    }
    this.#lastSent.set(key, now);
    const suppressed = this.#suppressed.get(key) ?? 0;
    this.#suppressed.delete(key);
    const body = JSON.stringify({ ...notice, suppressedSinceLast: suppressed });
    for (let attempt = 1; attempt <= this.#o.attempts; attempt++) {
      if (this.#aborted.signal.aborted) return 'failed';
      const failure = await this.#post(body);
      if (failure === undefined) return 'sent';
      if (!failure.retry || attempt === this.#o.attempts) {
        this.#o.logger.error(`alert webhook failed after ${attempt} attempt(s): ${failure.why}`, {
          kind: notice.kind,
        });
        return 'failed';
      }
      await this.#o.sleep(this.#o.backoffMs * 2 ** (attempt - 1));
    }
    return 'failed';
  }

  /** Aborts every delivery under way and refuses new ones (the host is closing). */
  abort(): void {
    this.#aborted.abort(new Error('the host is shutting down'));
  }

  async #post(body: string): Promise<{ retry: boolean; why: string } | undefined> {
    try {
      const res = await this.#o.fetch(this.#o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sbx-agent-host' },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.#o.timeoutMs), this.#aborted.signal]),
      });
      await res.body?.cancel();
      if (res.ok) return undefined;
      return { retry: res.status === 429 || res.status >= 500, why: `HTTP ${res.status}` };
    } catch (error) {
      return { retry: true, why: describeError(error).message };
    }
  }
}

// A backoff wait that ends early when the notifier is aborted, leaving no timer or listener behind.
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
