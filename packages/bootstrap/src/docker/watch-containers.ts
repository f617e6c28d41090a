import type { Logger, WallClock } from '@sbx/timing';
import { callUnlessAborted, sleep, whenAborted } from '../bounded.js';
import type { SandboxGoneEvent } from '../sandbox-adapter.js';
import { SBX_LABELS, SBX_MANAGED_BY } from './container-config.js';
import { type EngineEvent, JsonLines, parseEngineEvent } from './container-events.js';
import type { DockerApi, DockerEventsOptions } from './docker-api.js';
import { engineMessage, wrapDockerError } from './docker-error.js';
import { destroyStream } from './docker-stream.js';

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
 * the abort destroys the stream and stops the timers.
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
  const deliver = (event: EngineEvent) => {
    delay = WATCH_BACKOFF_MS.first;
    if (!advance(cursor, event)) return;
    try {
      onGone(event.gone);
    } catch (error) {
      deps.logger.warn('a sandbox watch callback threw; the watch goes on', { error: String(error) });
    }
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
        break;
      } catch {
        if (signal?.aborted) return;
      }
    }
  }
}

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
