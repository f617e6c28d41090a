import { callUnlessAborted, raceAbort, whenAborted } from '../bounded.js';
import { engineMessage } from './docker-error.js';
import { destroyStream, LineSplitter, readDemuxed } from './docker-stream.js';
import { compileLogPattern } from './log-pattern.js';
import { assertRunning, failed, type ReadinessTarget, wrap } from './readiness-target.js';

/**
 * Resolves on the first line of stdout or stderr matching `pattern`, following the container's log from its
 * start (the engine replays all of it, so a line printed before the stream opened is not missed).
 */
export async function waitForLogLine(pattern: RegExp | string, target: ReadinessTarget): Promise<void> {
  const { signal } = target;
  const regex = compileLogPattern(pattern);
  target.progress.last = `no output yet, waiting for a line matching ${regex.source}`;
  const output = await openLog(target);
  let matched = false;
  let lines = 0;
  const splitter = new LineSplitter((line) => {
    lines += 1;
    if (!matched && regex.test(line)) {
      matched = true;
      destroyStream(output);
      return;
    }
    target.progress.last = `${lines} output lines, none matching ${regex.source}; last: ${JSON.stringify(line.slice(0, 120))}`;
  });
  const stop = whenAborted(signal, () => destroyStream(output));
  try {
    await raceAbort(
      readDemuxed(output, (stream, payload) => {
        if (matched) return;
        const started = performance.now();
        splitter.push(stream, payload);
        // A flood of output never holds the event loop: after a few ms of matching, let others run first.
        if (!matched && performance.now() - started > MATCH_BUDGET_MS) yieldStream(output);
      }),
      signal,
    );
    if (matched) return;
    splitter.flush();
    if (matched) return;
  } finally {
    stop();
    destroyStream(output);
  }
  // The output ended: the container is gone or exited.
  await assertRunning(target);
  throw failed(
    target,
    `the output of sandbox ${target.sandboxId} ended before a line matched ${regex.source}`,
  );
}

// Matching time one chunk of output may take before the stream pauses for a turn of the event loop.
const MATCH_BUDGET_MS = 4;

function yieldStream(stream: NodeJS.ReadableStream): void {
  stream.pause();
  setImmediate(() => stream.resume());
}

// A log stream that arrives after the abort is destroyed at once.
async function openLog(target: ReadinessTarget): Promise<NodeJS.ReadableStream> {
  const { container, signal } = target;
  try {
    return await callUnlessAborted(
      signal,
      () => container.logs({ follow: true, stdout: true, stderr: true, abortSignal: signal }),
      destroyStream,
    );
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const unreadable = /does not support reading/i.test(engineMessage(error));
    if (!unreadable) throw wrap(error, target);
    throw failed(
      target,
      `the log probe reads the container's log, which its log driver cannot give back (${engineMessage(error)}) - ` +
        'use a log driver that can be read (json-file, local, journald) or a probe of another kind',
      // The engine's log driver is the operator's choice, not the caller's.
      'platform',
    );
  }
}
