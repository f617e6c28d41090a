import type {
  FileSystemTree,
  WebContainerApi,
  WebContainerBootOptions,
  WebContainerInstance,
  WebContainerProcess,
} from './webcontainer-api.js';

/** How the fake behaves; every delay is a timer, so vitest fake timers drive it. */
export interface FakeWebContainerOptions {
  /** `ok` boots after `bootDelayMs`; `hang` never settles (no runtime); `reject` fails to boot. */
  boot?: 'ok' | 'hang' | 'reject';
  bootDelayMs?: number;
  mountDelayMs?: number;
  /** Rejects `mount()` with this message. */
  mountError?: string;
  /** Commands whose first argument is `install`, `i` or `ci` exit with this code after `installDelayMs`. */
  installExitCode?: number;
  installDelayMs?: number;
  /** Commands whose first argument is `start`, `dev`, `serve` or `run` start a server on `serverPort`. */
  serverPort?: number;
  serverReadyDelayMs?: number;
  /** What the server emits: `server-ready` (after a `port` open event), only `port`, or nothing. */
  serverEvent?: 'server-ready' | 'port' | 'none';
  /** Any other command exits with this code after `execDelayMs`, echoing its command line. */
  execExitCode?: number;
  execDelayMs?: number;
}

/** What a fake module recorded, for assertions. */
export interface FakeWebContainerStats {
  boots: number;
  teardowns: number;
  /** Every command line spawned, in order. */
  spawned: string[];
  mounted: FileSystemTree[];
  live: boolean;
}

/** A fake `@webcontainer/api` namespace: `WebContainer.boot()` plus what it recorded. */
export interface FakeWebContainerApi extends WebContainerApi {
  readonly stats: FakeWebContainerStats;
}

const DEFAULTS = {
  boot: 'ok',
  bootDelayMs: 25,
  mountDelayMs: 2,
  installExitCode: 0,
  installDelayMs: 30,
  serverPort: 3000,
  serverReadyDelayMs: 15,
  serverEvent: 'server-ready',
  execExitCode: 0,
  execDelayMs: 1,
} as const satisfies FakeWebContainerOptions;

const INSTALL = new Set(['install', 'i', 'ci']);
const SERVE = new Set(['start', 'dev', 'serve', 'run']);

/** Creates a fake `@webcontainer/api` module: one booted instance at a time, scripted by `options`. */
export function createFakeWebContainerApi(options: FakeWebContainerOptions = {}): FakeWebContainerApi {
  const o = { ...DEFAULTS, ...options };
  const stats: FakeWebContainerStats = { boots: 0, teardowns: 0, spawned: [], mounted: [], live: false };
  const boot = (_options?: WebContainerBootOptions): Promise<WebContainerInstance> => {
    if (o.boot === 'hang') return new Promise<never>(() => {});
    if (stats.live) return Promise.reject(new Error('Only a single WebContainer instance can be booted'));
    return after(o.bootDelayMs, () => {
      if (o.boot === 'reject') throw new Error('Unable to create more instances');
      stats.boots++;
      stats.live = true;
      return new FakeContainer(o, stats);
    });
  };
  return { WebContainer: { boot }, stats };
}

type Listener = (...args: never[]) => void;

class FakeContainer implements WebContainerInstance {
  readonly #o: Required<FakeWebContainerOptions>;
  readonly #stats: FakeWebContainerStats;
  readonly #listeners = new Map<string, Set<Listener>>();
  #tornDown = false;

  constructor(o: FakeWebContainerOptions, stats: FakeWebContainerStats) {
    this.#o = o as Required<FakeWebContainerOptions>;
    this.#stats = stats;
  }

  mount(tree: FileSystemTree): Promise<void> {
    this.#assertLive();
    return after(this.#o.mountDelayMs, () => {
      if (this.#o.mountError !== undefined) throw new Error(this.#o.mountError);
      this.#stats.mounted.push(tree);
    });
  }

  async spawn(command: string, args: string[]): Promise<WebContainerProcess> {
    this.#assertLive();
    const line = [command, ...args].join(' ');
    this.#stats.spawned.push(line);
    const first = args[0] ?? '';
    if (INSTALL.has(first))
      return fakeProcess(this.#o.installDelayMs, this.#o.installExitCode, 'added 1 package\n');
    if (SERVE.has(first)) return this.#serve();
    return fakeProcess(this.#o.execDelayMs, this.#o.execExitCode, `${line}\n`);
  }

  on(event: string, listener: Listener): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  teardown(): void {
    if (this.#tornDown) throw new Error('WebContainer already torn down');
    this.#tornDown = true;
    this.#stats.teardowns++;
    this.#stats.live = false;
    this.#listeners.clear();
  }

  #serve(): WebContainerProcess {
    const { serverPort: port, serverEvent } = this.#o;
    const url = `http://localhost:${port}`;
    const proc = fakeProcess(Number.POSITIVE_INFINITY, 0, `listening on ${port}\n`);
    setTimeout(() => {
      if (this.#tornDown || serverEvent === 'none') return;
      this.#emit('port', port, 'open', url);
      if (serverEvent === 'server-ready') this.#emit('server-ready', port, url);
    }, this.#o.serverReadyDelayMs);
    return proc;
  }

  #emit(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }

  #assertLive(): void {
    if (this.#tornDown) throw new Error('WebContainer already torn down');
  }
}

/** A process that prints `output`, then exits with `code` after `delayMs` (never, for `Infinity`) or on kill. */
function fakeProcess(delayMs: number, code: number, output: string): WebContainerProcess {
  let exit!: (code: number) => void;
  let stream!: ReadableStreamDefaultController<string>;
  const exited = new Promise<number>((resolve) => {
    exit = resolve;
  });
  const timer = Number.isFinite(delayMs) ? setTimeout(() => finish(code), delayMs) : undefined;
  let finished = false;
  function finish(exitCode: number) {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    stream.close();
    exit(exitCode);
  }
  return {
    exit: exited,
    output: new ReadableStream<string>({
      start(controller) {
        stream = controller;
        controller.enqueue(output);
      },
    }),
    kill: () => finish(143),
  };
}

function after<T>(ms: number, fn: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
}
