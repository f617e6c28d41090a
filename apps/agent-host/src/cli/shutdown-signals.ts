import type { CliIo } from './cli-io.js';

/** The signals that end a CLI command: Ctrl-C, `kill`, and a closed terminal. */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The abort reason of a command ended by a signal. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signalName: NodeJS.Signals) {
    super(`interrupted by ${signalName}`);
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
 * The first SIGINT, SIGTERM or SIGHUP aborts `signal` (the command winds down through the host's
 * `close()`); a second one runs `lastResort` (synchronous, best effort) and exits at once with 130.
 */
export function trapShutdownSignals(
  io: CliIo,
  lastResort: () => string | undefined,
  exit: (code: number) => void = (code) => process.exit(code),
): ShutdownTrap {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      io.stderr.write(`\n${name}: stopping; removing live sandboxes (recorded results are kept)\n`);
      controller.abort(new InterruptedError(name));
      return;
    }
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
