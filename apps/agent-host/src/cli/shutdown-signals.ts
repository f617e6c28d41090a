import { AgentHostError } from '../errors.js';
import type { CliIo } from './cli-io.js';

/** The signals that end a CLI command: Ctrl-C, `kill`, and a closed terminal. */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The abort reason of a command ended by a signal: an `AgentHostError` with the code `INTERRUPTED`. */
export class InterruptedError extends AgentHostError {
  override readonly name: string = 'InterruptedError';
  constructor(readonly signalName: NodeJS.Signals) {
    super('INTERRUPTED', `interrupted by ${signalName}`);
  }
}

/** What `trapShutdownSignals` gives its command. */
export interface ShutdownTrap {
  /** Aborts at the first signal: the command stops starting work and the host closes. */
  readonly signal: AbortSignal;
  /** Removes the handlers (after the host closed). */
  dispose(): void;
}

/**
 * A signal this soon after the first is the same request, not a second one: Ctrl-C under `pnpm start` is the
 * terminal's SIGINT to the whole process group followed by the SIGTERM pnpm forwards to its child.
 */
export const SAME_REQUEST_MS = 1_000;

/**
 * The first SIGINT, SIGTERM or SIGHUP aborts `signal` (the command winds down through the host's
 * `close()`); any signal within `SAME_REQUEST_MS` of it is the same request and ignored; a later one runs
 * `lastResort` (synchronous, best effort) and exits at once with 130.
 */
export function trapShutdownSignals(
  io: CliIo,
  lastResort: () => string | undefined,
  exit: (code: number) => void = (code) => process.exit(code),
  now: () => number = () => performance.now(),
): ShutdownTrap {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      firstAt = now();
      io.stderr.write(`\n${name}: stopping; removing live sandboxes (recorded results are kept)\n`);
      controller.abort(new InterruptedError(name));
      return;
    }
    if (now() - firstAt < SAME_REQUEST_MS) return;
    let said: string | undefined;
    try {
      said = lastResort();
    } catch {
      said = undefined;
    }
    io.stderr.write(`${name} again: exiting now${said ? `; ${said}` : ''}\n`);
    exit(130);
  };
  for (const name of SHUTDOWN_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of SHUTDOWN_SIGNALS) process.off(name, onSignal);
    },
  };
}

/** With `SBX_DEBUG=1`, says what still keeps the process alive 5 s after the host closed (never keeps it alive). */
export function reportLingeringResources(io: CliIo, afterMs = 5_000): void {
  if (io.env.SBX_DEBUG !== '1') return;
  setTimeout(() => {
    io.stderr.write(
      `sbx: debug: still running ${afterMs} ms after close; active resources: ${JSON.stringify(process.getActiveResourcesInfo())}\n`,
    );
  }, afterMs).unref();
}
