import { type Clock, systemClock, systemWallClock, type WallClock } from './clock.js';
import { deadlineReason, isDeadlineAbort } from './deadline.js';
import { TimingError } from './errors.js';
import { consoleLogger, describeError, type Logger } from './logger.js';
import {
  CANCELLED_ERROR_CODE,
  type PhaseTiming,
  type ProvisionRecorder,
  type ProvisionResult,
  type ProvisionSuccess,
} from './provision-result.js';
import { isSandboxType, type SandboxType, SLA_LIMITS } from './sla-limits.js';

/** What a bootstrap function gets: its deadline and a way to time its phases. */
export interface ProvisionContext {
  readonly sandboxType: SandboxType;
  /** Aborts when the deadline passes or the caller's signal aborts; adapters stop and clean up on it. */
  readonly signal: AbortSignal;
  /** Runs `fn` as the named phase; its timing lands in the result even when `fn` throws. */
  phase<R>(name: string, fn: () => R | Promise<R>): Promise<R>;
  /** Milliseconds since the provisioning started. */
  elapsedMs(): number;
  /** Milliseconds left before the deadline; `Infinity` without one. */
  remainingMs(): number;
  /**
   * Adds what the bootstrap learned to the result's `attributes` (e.g. `{ runtime: 'runc' }`: the engine's
   * default it resolved), on success and failure alike; the caller's own attributes win on a clash.
   */
  annotate(attributes: Readonly<Record<string, string>>): void;
}

/** Options of one `provision()` call. */
export interface ProvisionOptions<T> {
  type: SandboxType;
  bootstrapFn: (ctx: ProvisionContext) => Promise<T> | T;
  /** Aborts `ctx.signal` after this many milliseconds. */
  deadlineMs?: number;
  /**
   * A caller's signal (Ctrl-C, a closed request) that also aborts `ctx.signal`. A bootstrap that fails after it
   * aborted (and not after the deadline) is recorded with error code `CANCELLED`; the thrown error is unchanged.
   */
  signal?: AbortSignal;
  /** Copied into the result, e.g. `{ tenant: 'team-a' }`: who asked, for recorders that keep it. */
  attributes?: Readonly<Record<string, string>>;
  /** Called with this call's result (without `value`) once recorded, on success and on failure alike. */
  onResult?: (result: ProvisionResult) => void;
}

/** Dependencies of a `SandboxProvisioner`; all optional. */
export interface SandboxProvisionerDeps {
  recorder?: ProvisionRecorder;
  clock?: Clock;
  wallClock?: WallClock;
  /** Overrides of `SLA_LIMITS` per type, in milliseconds. */
  slaLimits?: Partial<Record<SandboxType, number>>;
  logger?: Logger;
}

/**
 * Times every sandbox provisioning, judges it against its SLA and hands the result to a recorder.
 *
 * @example
 * const provisioner = new SandboxProvisioner({ recorder: kpiRepository });
 * const { value: container, durationMs, status, phases } = await provisioner.provision({
 *   type: 'docker',
 *   bootstrapFn: async (ctx) => ctx.phase('start', () => startContainer(ctx.signal)),
 * });
 * console.log(container.id, durationMs, status, phases);
 */
export class SandboxProvisioner {
  readonly #recorder: ProvisionRecorder | undefined;
  readonly #clock: Clock;
  readonly #wallClock: WallClock;
  readonly #slaLimits: Record<SandboxType, number>;
  readonly #logger: Logger;

  constructor(deps: SandboxProvisionerDeps = {}) {
    this.#recorder = deps.recorder;
    this.#clock = deps.clock ?? systemClock;
    this.#wallClock = deps.wallClock ?? systemWallClock;
    this.#slaLimits = { ...SLA_LIMITS, ...deps.slaLimits };
    this.#logger = deps.logger ?? consoleLogger;
  }

  /** The SLA limit in milliseconds this provisioner judges `type` against. */
  slaLimitMs(type: SandboxType): number {
    return this.#slaLimits[type];
  }

  // [1_PRD-REQ-MET-009] [9_ROADMAP-REQ-044]
  /**
   * Runs `bootstrapFn`, times it, records the result, and resolves to it with the bootstrap's `value`; a
   * failure is recorded, then rethrown.
   */
  async provision<T>(opts: ProvisionOptions<T>): Promise<ProvisionSuccess<T>> {
    validate(opts);
    const clock = this.#clock;
    const timestamp = this.#wallClock.now();
    const t0 = clock.now();
    const deadline = linkDeadline(opts.deadlineMs, opts.signal);
    const phases: PhaseTiming[] = [];
    const annotations: Record<string, string> = {};
    const ctx: ProvisionContext = {
      sandboxType: opts.type,
      signal: deadline.signal,
      elapsedMs: () => clock.now() - t0,
      remainingMs: () =>
        opts.deadlineMs === undefined
          ? Number.POSITIVE_INFINITY
          : Math.max(0, opts.deadlineMs - (clock.now() - t0)),
      phase: async (name, fn) => {
        const start = clock.now();
        try {
          return await fn();
        } finally {
          phases.push({ name, startMs: start - t0, durationMs: clock.now() - start });
        }
      },
      annotate: (attributes) => {
        for (const [key, value] of Object.entries(attributes))
          if (typeof value === 'string') annotations[key] = value;
      },
    };

    const limit = this.#slaLimits[opts.type];
    const base = {
      sandboxType: opts.type,
      timestamp,
      slaLimitMs: limit,
      phases,
    };
    // Read once the bootstrap settled, so its annotations are in.
    const attributes = () => {
      const merged = { ...annotations, ...opts.attributes };
      return Object.keys(merged).length > 0 ? { attributes: merged } : {};
    };
    try {
      const value = await opts.bootstrapFn(ctx);
      const durationMs = clock.now() - t0;
      const result = {
        ...base,
        ...attributes(),
        durationMs,
        status: durationMs > limit ? ('sla_breach' as const) : ('ok' as const),
      };
      await this.#record(result, opts.onResult);
      return { ...result, value };
    } catch (error) {
      const durationMs = clock.now() - t0;
      const info = describeError(error);
      // The caller gave up (Ctrl-C, a closed request): recorded, but marked so it is no SLA evidence.
      const cancelled = opts.signal?.aborted === true && !isDeadlineAbort(deadline.signal.reason);
      await this.#record(
        {
          ...base,
          ...attributes(),
          durationMs,
          status: 'sla_breach',
          // The cause comes from the error (the adapter's table); a cancellation is its caller's doing.
          error: cancelled ? { ...info, code: CANCELLED_ERROR_CODE, cause: 'caller' } : info,
        },
        opts.onResult,
      );
      throw error;
    } finally {
      deadline.dispose();
    }
  }

  async #record(result: ProvisionResult, onResult: ProvisionOptions<unknown>['onResult']): Promise<void> {
    await this.#guard('provision recorder failed; result not recorded', result, () =>
      this.#recorder?.record(result),
    );
    await this.#guard('provision onResult hook threw', result, () => onResult?.(result));
  }

  // Telemetry never breaks the host: the provisioning outcome stands either way.
  async #guard(message: string, result: ProvisionResult, fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.#logger.error(message, {
        sandboxType: result.sandboxType,
        durationMs: result.durationMs,
        error: describeError(error),
      });
    }
  }
}

function validate<T>(opts: ProvisionOptions<T>): void {
  if (!isSandboxType(opts?.type)) {
    throw new TimingError('INVALID_SANDBOX_TYPE', `unknown sandbox type ${JSON.stringify(opts?.type)}`);
  }
  if (typeof opts.bootstrapFn !== 'function') {
    throw new TimingError('INVALID_ARGUMENT', 'bootstrapFn must be a function');
  }
  if (opts.deadlineMs !== undefined && !(opts.deadlineMs > 0 && Number.isFinite(opts.deadlineMs))) {
    throw new TimingError('INVALID_ARGUMENT', `deadlineMs must be a positive number, got ${opts.deadlineMs}`);
  }
}

function linkDeadline(deadlineMs: number | undefined, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  // setTimeout rather than AbortSignal.timeout so fake timers drive it in tests.
  const timer =
    deadlineMs === undefined
      ? undefined
      : setTimeout(() => controller.abort(deadlineReason(deadlineMs)), deadlineMs);
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
