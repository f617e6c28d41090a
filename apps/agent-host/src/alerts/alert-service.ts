import type { NewAlert, SandboxAlertRepository } from '@sbx/store';
import { describeError, type Logger } from '@sbx/timing';
import { InFlight } from '../sandbox/in-flight.js';
import type { WebhookNotifier } from './webhook-notifier.js';

/** Keeps every alert as a row and, when a webhook is configured, posts it; never throws into the host. */
export class AlertService {
  readonly #repo: SandboxAlertRepository;
  readonly #notifier: WebhookNotifier | undefined;
  readonly #logger: Logger;
  readonly #pending = new InFlight();

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
    return this.#pending.track(this.#raise(alert));
  }

  async #raise(alert: NewAlert): Promise<void> {
    try {
      const stored = await this.#repo.insert(alert);
      if (!this.#notifier) return;
      void this.#pending.track(
        this.#notifier.notify({ ...stored, createdAt: stored.createdAt.toISOString() }),
      );
    } catch (error) {
      this.#logger.error('could not keep an alert', { kind: alert.kind, error: describeError(error) });
    }
  }

  /**
   * Waits for alerts being stored and webhook deliveries under way (shutdown, tests). With `timeoutMs`,
   * deliveries still pending then are aborted and said so in one line; resolves false in that case.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (await this.#pending.settle(options.timeoutMs)) return true;
    const given = this.#pending.size;
    this.#notifier?.abort();
    this.#logger.warn(`gave up on ${given} alert delivery(ies) still pending after ${options.timeoutMs} ms`);
    return false;
  }
}
