import type { Logger, WallClock } from '@sbx/timing';
import { callUnlessAborted, sleep, whenAborted } from '../bounded.js';
import type { SandboxGoneEvent } from '../sandbox-adapter.js';
import { SBX_LABELS, SBX_MANAGED_BY } from './container-config.js';
import { type EngineEvent, JsonLines, parseEngineEvent } from './container-events.js';
import type { DockerApi, DockerEventsOptions } from './docker-api.js';
import { engineMessage, wrapDockerError } from './docker-error.js';
import { destroyStream } from './docker-stream.js';
import { listManagedContainers } from './managed-containers.js';

/** What a watch needs from its adapter. */
export interface WatchDeps {
  docker: DockerApi;
  engineAddress: string;
  logger: Logger;
  wallClock: WallClock;
}

/** First and longest wait before reconnecting to the event stream; it doubles in between. */
export const WATCH_BACKOFF_MS = Object.freeze({ first: 100, max: 5_000 });

const FILTERS: DockerEventsOptions['filters'] = {
  type: ['container'],
  event: ['die', 'destroy', 'oom'],
  label: [`${SBX_LABELS.managedBy}=${SBX_MANAGED_BY}`],
};

// Where the stream left off: a reconnect asks for the events since then and skips the ones already seen.
interface Cursor {
  since: number;
  seen: Set<string>;
}

/**
 * Follows the engine's `die`, `destroy` and `oom` events of sbx containers and calls `onGone` for each.
 * Resolves once the engine answered; rejects (wrapped) when it cannot. A stream that ends or fails is
 * reopened with bounded backoff (one logged line per loss) from where it left off, until `signal` aborts;
 * the abort destroys the stream and stops the timers. Once reopened, the sbx containers that are no longer
 * running are reported gone too (`exited`): an engine that restarted does not replay the deaths it caused.
 */
export async function watchContainers(
  deps: WatchDeps,
  onGone: (event: SandboxGoneEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return;
  const cursor: Cursor = { since: Math.floor(deps.wallClock.now().getTime() / 1000), seen: new Set() };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await openEvents(deps.docker, signal);
  } catch (error) {
    if (signal?.aborted) return;
    throw wrapDockerError(error, {
      code: 'ENGINE_ERROR',
      doing: 'following the engine events',
      engineAddress: deps.engineAddress,
      phase: 'watch',
    });
  }
  void follow(deps, stream, cursor, onGone, signal);
}

async function follow(
  deps: WatchDeps,
  first: NodeJS.ReadableStream,
  cursor: Cursor,
  onGone: (event: SandboxGoneEvent) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  let stream = first;
  let delay: number = WATCH_BACKOFF_MS.first;
  // What was reported (container and reason), newest last, bounded: a reconnect's listing and the engine's
  // replay of the same death are told once, whichever comes first.
  const reported = new Set<string>();
  const report = (gone: SandboxGoneEvent) => {
    const key = `${gone.containerId}:${gone.reason}`;
    if (reported.has(key)) return;
    reported.add(key);
    if (reported.size > MAX_REPORTED) reported.delete(reported.values().next().value as string);
    try {
      onGone(gone);
    } catch (error) {
      deps.logger.warn('a sandbox watch callback threw; the watch goes on', { error: String(error) });
    }
  };
  const deliver = (event: EngineEvent) => {
    delay = WATCH_BACKOFF_MS.first;
    if (advance(cursor, event)) report(event.gone);
  };
  for (;;) {
    const lost = await readToEnd(stream, signal, deliver);
    if (signal?.aborted) return;
    deps.logger.warn(
      `the engine's event stream ${lost ? `failed (${engineMessage(lost)})` : 'ended'}; reconnecting with backoff up to ${WATCH_BACKOFF_MS.max} ms`,
    );
    for (;;) {
      try {
        await sleep(delay, signal);
        delay = Math.min(delay * 2, WATCH_BACKOFF_MS.max);
        stream = await openEvents(deps.docker, signal, cursor.since);
        void reportStopped(deps, report, signal);
        break;
      } catch {
        if (signal?.aborted) return;
      }
    }
  }
}

// After a reconnect: the containers that stopped while the stream was down (with the engine, on a restart).
async function reportStopped(
  deps: WatchDeps,
  onGone: (event: SandboxGoneEvent) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    const containers = await listManagedContainers(deps.docker, deps.engineAddress);
    for (const { sandboxId, containerId, state } of containers) {
      // `created` may be a provisioning under way; `running`, `paused` and `restarting` are alive.
      if (signal?.aborted || !STOPPED_STATES.has(state)) continue;
      const exitCode = await exitCodeOf(deps.docker, containerId, signal);
      if (signal?.aborted) return;
      onGone({ sandboxId, containerId, reason: 'exited', ...(exitCode === undefined ? {} : { exitCode }) });
    }
  } catch (error) {
    if (signal?.aborted) return;
    deps.logger.warn(
      `after the engine's event stream came back, its containers could not be listed (${engineMessage(error)})`,
    );
  }
}

// The exit code the engine kept, or undefined when it cannot say (the container went meanwhile).
async function exitCodeOf(docker: DockerApi, containerId: string, signal: AbortSignal | undefined) {
  try {
    const state = await docker.getContainer(containerId).inspect(signal ? { abortSignal: signal } : {});
    return Number.isInteger(state.State.ExitCode) ? state.State.ExitCode : undefined;
  } catch {
    return undefined;
  }
}

const STOPPED_STATES = new Set(['exited', 'dead']);
const MAX_REPORTED = 10_000;

// A reply that arrives after the abort is destroyed at once.
function openEvents(docker: DockerApi, signal: AbortSignal | undefined, since?: number) {
  return callUnlessAborted(
    signal,
    () =>
      docker.getEvents({
        filters: FILTERS,
        ...(since === undefined ? {} : { since }),
        ...(signal ? { abortSignal: signal } : {}),
      }),
    destroyStream,
  );
}

// Resolves when the stream ends (undefined), fails (the error) or the signal aborts (the stream destroyed).
function readToEnd(
  stream: NodeJS.ReadableStream,
  signal: AbortSignal | undefined,
  deliver: (event: EngineEvent) => void,
): Promise<unknown> {
  const lines = new JsonLines((line) => {
    const event = parseEngineEvent(line);
    if (event) deliver(event);
  });
  return new Promise<unknown>((resolve) => {
    let ended = false;
    const stop = whenAborted(signal, () => destroyStream(stream));
    const done = (error?: unknown) => {
      if (ended) return;
      ended = true;
      stop();
      stream.removeListener('data', onData);
      destroyStream(stream);
      resolve(error);
    };
    const onData = (chunk: Buffer | string) => lines.push(chunk);
    stream.on('data', onData);
    stream.on('end', () => done());
    stream.on('close', () => done());
    // Kept for the stream's life: an error after the end must not become an uncaught one.
    stream.on('error', (error: unknown) => done(error));
  });
}

// Moves the cursor to `event`; false for an event a reconnect replayed that was already delivered.
function advance(cursor: Cursor, event: EngineEvent): boolean {
  if (cursor.seen.has(event.key)) return false;
  if (event.time > cursor.since) {
    cursor.since = event.time;
    cursor.seen.clear();
  }
  cursor.seen.add(event.key);
  return true;
}
