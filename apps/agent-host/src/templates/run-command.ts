import { spawn } from 'node:child_process';
import { AgentHostError } from '../errors.js';

/** How the template builder runs a program: the port tests fake. */
export type RunCommand = (
  argv: readonly string[],
  options: { signal?: AbortSignal; pipeFrom?: readonly string[]; onLine?: (line: string) => void },
) => Promise<void>;

/** The most output of a failed step kept for its error message (its tail). */
export const STEP_OUTPUT_BYTES = 4 * 1024;

/**
 * Runs `argv` (with `pipeFrom`'s stdout as its stdin, e.g. `tar | docker import`), keeping only the last
 * `STEP_OUTPUT_BYTES` of its output; rejects with `TEMPLATE_BUILD_FAILED` naming the program, its exit
 * status and that tail. A missing program says so.
 */
export const runCommand: RunCommand = (argv, options) =>
  new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    let tail = '';
    let partial = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-STEP_OUTPUT_BYTES);
      if (!options.onLine) return;
      const lines = (partial + text).split('\n');
      partial = (lines.pop() ?? '').slice(-STEP_OUTPUT_BYTES);
      for (const line of lines) options.onLine(line);
    };
    const source = options.pipeFrom
      ? spawn(options.pipeFrom[0] as string, options.pipeFrom.slice(1), {
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : undefined;
    const child = spawn(cmd, args, {
      stdio: [source ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (source) {
      source.stdout?.pipe(child.stdin as NodeJS.WritableStream);
      source.stderr?.on('data', keep);
      source.on('error', (error) => reject(failed(options.pipeFrom?.[0] ?? '', error.message)));
    }
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(failed(cmd, missing ? `${cmd} is not installed or not on PATH` : error.message));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          failed(cmd, `exited with ${signal ?? code}: ${tail.trim().split('\n').slice(-5).join(' | ')}`),
        );
    });
  });

function failed(cmd: string, why: string): AgentHostError {
  return new AgentHostError('TEMPLATE_BUILD_FAILED', `${cmd} ${why}`);
}
