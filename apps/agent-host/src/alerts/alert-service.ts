import type { NewAlert, SandboxAlertRepository } from '@sbx/store';
import { describeError, type Logger } from '@sbx/timing';
import type { WebhookNotifier } from './webhook-notifier.js';

/** Keeps every alert as a row and, when a webhook is configured, posts it; never throws into the host. */
export class AlertService {
  readonly #repo: SandboxAlertRepository;
  readonly #notifier: WebhookNotifier | undefined;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(deps: {
    repo: SandboxAlertRepository;
    notifier?: WebhookNotifier | undefined;
    logger: Logger;
  }) {
    this.#repo = deps.repo;
    this.#notifier = deps.notifier;
    this.#logger = deps.logger;
  }

  /** Stores `alert`, then posts it in the background (telemetry never waits on a webhook). */
  raise(alert: NewAlert): Promise<void> {
    const raising = this.#raise(alert);
    this.#pending.add(raising);
    void raising.finally(() => this.#pending.delete(raising));
    return raising;
  }

  async #raise(alert: NewAlert): Promise<void> {
    try {
      const stored = await this.#repo.insert(alert);
      if (!this.#notifier) return;
      const sending = this.#notifier.notify({ ...stored, createdAt: stored.createdAt.toISOString() });
      this.#pending.add(sending);
      void sending.finally(() => this.#pending.delete(sending));
    } catch (error) {
      this.#logger.error('could not keep an alert', { kind: alert.kind, error: describeError(error) });
    }
  }

  /**
   * Waits for alerts being stored and webhook deliveries under way (shutdown, tests). With `timeoutMs`,
   * deliveries still pending then are aborted and said so in one line; resolves false in that case.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const drained = (async () => {
      while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
      return true;
    })();
    if (options.timeoutMs === undefined) return drained;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), options.timeoutMs);
    });
    const done = await Promise.race([drained, late]);
    clearTimeout(timer);
    if (done) return true;
    const given = this.#pending.size;
    this.#notifier?.abort();
    this.#logger.warn(`gave up on ${given} alert delivery(ies) still pending after ${options.timeoutMs} ms`);
    return false;
  }
}
