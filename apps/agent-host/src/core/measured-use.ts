import { randomUUID } from 'node:crypto';
import type { SandboxRunOutcome } from '@sbx/timing';
import type { HostSandbox } from './host-adapter.js';
import type { SandboxHost } from './sandbox-host.js';

/** A measured run that is not over when its call returns (a streamed read): `end()` records it, once. */
export interface OpenRun {
  end(outcome: SandboxRunOutcome): void;
}

/**
 * Runs a file call like `SandboxHost.use` (activity, shutdown, a gone sandbox dropped) and times it with the
 * host's perf monitor as its own run, like a command (`runJob`): it lands in the perf records, `/metrics` and
 * the overhead alert. `fn` may return a run still open (`keepOpen`), ended by the caller when its stream ends.
 */
export async function measuredUse<T>(
  host: Pick<SandboxHost, 'use' | 'perfMonitor'>,
  sandbox: HostSandbox,
  fn: (signal: AbortSignal, keepOpen: () => OpenRun) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const runId = randomUUID();
  host.perfMonitor.start(sandbox.id, { runId });
  let ended = false;
  let kept = false;
  const end = (outcome: SandboxRunOutcome) => {
    if (ended) return;
    ended = true;
    host.perfMonitor.stop(sandbox.id, { outcome, runId });
  };
  const keepOpen = (): OpenRun => {
    kept = true;
    return { end };
  };
  try {
    const result = await host.use(sandbox, (s) => fn(s, keepOpen), signal);
    if (!kept) end('success');
    return result;
  } catch (error) {
    end('error');
    throw error;
  }
}

/** Passes `source` on and ends `run` when it is done: `success` at its end, `error` when it fails or is cut. */
export async function* endingRun<T>(source: AsyncIterable<T>, run: OpenRun): AsyncGenerator<T> {
  let outcome: SandboxRunOutcome = 'error';
  try {
    yield* source;
    outcome = 'success';
  } finally {
    run.end(outcome);
  }
}
