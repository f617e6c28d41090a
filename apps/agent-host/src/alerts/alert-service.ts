import type { NewAlert, SandboxAlertRepository } from '@sbx/store';
import { describeError, type Logger } from '@sbx/timing';
import { InFlight } from '../lifecycle/in-flight.js';
import type { WebhookNotifier } from './webhook-notifier.js';

/** Keeps every alert as a row and, when a webhook is configured, posts it; never throws into the host. */
export class AlertService {
  readonly #repo: Pick<SandboxAlertRepository, 'insert'>;
  readonly #notifier: WebhookNotifier | undefined;
  readonly #logger: Logger;
  readonly #hostId: string | undefined;
  readonly #pending = new InFlight();

  constructor(deps: {
    /** Where alerts are kept: the repository, or the host's spooled store in front of it. */
    repo: Pick<SandboxAlertRepository, 'insert'>;
    notifier?: WebhookNotifier | undefined;
    logger: Logger;
    /** The agent host that raises the alerts (a fleet shares one database): stamped on every alert it keeps. */
    hostId?: string | undefined;
  }) {
    this.#repo = deps.repo;
    this.#notifier = deps.notifier;
    this.#logger = deps.logger;
    this.#hostId = deps.hostId;
  }

  /** Stores `alert` (with this host's id unless it names one), then posts it in the background. */
  raise(alert: NewAlert): Promise<void> {
    const stamped =
      alert.hostId === undefined && this.#hostId !== undefined ? { ...alert, hostId: this.#hostId } : alert;
    return this.#pending.track(this.#raise(stamped));
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
