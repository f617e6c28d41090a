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
  async raise(alert: NewAlert): Promise<void> {
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

  /** Waits for webhook deliveries under way (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}
