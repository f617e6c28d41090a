import { abortedDuring, bounded } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { ExecOptions, ExecResult, SandboxHandle } from '../sandbox-adapter.js';
import { OutputCollector } from './output-collector.js';
import type { WebContainerInstance, WebContainerProcess } from './webcontainer-api.js';

/** Where the started server answers, when the spec started one. */
export interface WebContainerServer {
  port: number;
  url: string;
}

/** A booted WebContainer: runs commands with `exec()`, tears the container down with `dispose()`. */
export class WebContainerHandle implements SandboxHandle {
  readonly id: string;
  readonly type = 'webcontainer' as const;
  /** The server the `ready` phase saw, if the spec started one. */
  readonly server: WebContainerServer | undefined;
  readonly #container: WebContainerInstance;
  readonly #onDispose: () => void;
  #disposed = false;

  constructor(init: {
    id: string;
    container: WebContainerInstance;
    server?: WebContainerServer;
    onDispose: () => void;
  }) {
    this.id = init.id;
    this.#container = init.container;
    this.server = init.server;
    this.#onDispose = init.onDispose;
  }

  /** True once `dispose()` ran. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Runs a command: a string goes to the WebContainer shell (`jsh -c`), an array is spawned as is.
   * The terminal merges stdout and stderr, so all output is in `stdout` and `stderr` is empty.
   */
  async exec(cmd: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (this.#disposed) throw new BootstrapError('DISPOSED', `webcontainer ${this.id} was disposed`);
    const [command, ...args] = typeof cmd === 'string' ? ['jsh', '-c', cmd] : cmd;
    if (!command) throw new BootstrapError('INVALID_SPEC', 'exec needs a command');
    let proc: WebContainerProcess;
    try {
      proc = await this.#container.spawn(command, args, {
        ...(options.workingDir === undefined ? {} : { cwd: options.workingDir }),
        ...(options.env === undefined ? {} : { env: options.env }),
      });
    } catch (error) {
      throw new BootstrapError('EXEC_FAILED', `could not spawn ${command}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const output = new OutputCollector(proc.output);
    const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    try {
      const exitCode = await bounded(proc.exit, {
        ms: timeoutMs,
        onTimeout: () => new BootstrapError('EXEC_TIMEOUT', `${command} did not exit within ${timeoutMs} ms`),
        ...(options.signal === undefined
          ? {}
          : { signal: options.signal, onAbort: (reason: unknown) => abortedDuring('exec', reason) }),
      });
      await output.done;
      return { exitCode, stdout: output.text, stderr: '' };
    } catch (error) {
      proc.kill();
      output.cancel();
      throw error;
    }
  }

  /** Tears the WebContainer down and frees the page for the next one; idempotent. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      this.#container.teardown();
    } finally {
      this.#onDispose();
    }
  }

  /** Same as `dispose()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** The message of an unknown thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
