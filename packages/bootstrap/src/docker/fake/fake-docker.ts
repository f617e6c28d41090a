// A scriptable in-memory DockerApi for unit tests: records calls (and whether each got an abort signal), keeps
// containers, counts the streams it handed out, and lets a test decide what each engine call does (answer,
// fail, or hang until released). It never acts on an abort signal itself: a delayed reply arrives even after
// its call was aborted (the race a client cannot close once the reply is on the wire), so only the adapter's
// own cleanup can close what it was handed. Users get it from `@sbx/bootstrap/testing`.
import { PassThrough } from 'node:stream';
import type {
  DockerApi,
  DockerCallOptions,
  DockerContainerApi,
  DockerContainerCreateOptions,
  DockerContainerSummary,
  DockerEngineInfo,
  DockerEventsOptions,
  DockerExecCreateOptions,
  DockerImageConfig,
  DockerListContainersOptions,
} from '../docker-api.js';
import { FakeAgents } from './fake-agents.js';
import { FakeContainer } from './fake-container.js';
import { type FakeEngineEvent, FakeEvents } from './fake-events.js';
import { type FakeExecResult, httpError } from './fake-helpers.js';
import { type FakePullFailure, pullError } from './fake-pull-errors.js';

export { FakeContainer } from './fake-container.js';
export type { FakeEngineEvent } from './fake-events.js';
export { FakeExecStream } from './fake-exec-stream.js';
export { connectionError, deferred, type FakeExecResult, frame, httpError } from './fake-helpers.js';
export { type FakePullFailure, pullError } from './fake-pull-errors.js';

/** What an exec handler can do while its command runs: read stdin, print before it returns. */
export interface FakeExecIo {
  /** Everything the client wrote to stdin, once it closed it (empty without `AttachStdin`). */
  stdin: Promise<Buffer>;
  /** Prints now (stream 1 = stdout, 2 = stderr), as a command that streams its output. */
  print(stream: 1 | 2, text: string | Buffer): void;
  /** Prints `chunk` without end, as fast as the client reads; resolves once the client closed the stream. */
  flood(stream: 1 | 2, chunk: string | Buffer): Promise<void>;
}

/** Hooks a test sets to make engine calls slow, failing or observable; a returned promise delays the reply. */
export interface FakeDockerHooks {
  ping?: () => Promise<void> | void;
  info?: () => Promise<void> | void;
  inspectImage?: (name: string) => Promise<void> | void;
  pull?: (name: string, signal: AbortSignal | undefined) => Promise<NodeJS.ReadableStream>;
  create?: (config: DockerContainerCreateOptions) => Promise<void> | void;
  start?: (container: FakeContainer) => Promise<void> | void;
  afterStart?: (container: FakeContainer) => void;
  inspect?: (container: FakeContainer) => Promise<void> | void;
  attach?: (container: FakeContainer) => Promise<void> | void;
  logs?: (container: FakeContainer) => Promise<void> | void;
  execCreate?: (container: FakeContainer, options: DockerExecCreateOptions) => Promise<void> | void;
  execStart?: (container: FakeContainer, options: DockerExecCreateOptions) => Promise<void> | void;
  remove?: (container: FakeContainer) => Promise<void> | void;
  list?: () => Promise<void> | void;
  events?: (options: DockerEventsOptions) => Promise<void> | void;
}

/** The fake engine. */
export class FakeDocker implements DockerApi {
  readonly images = new Set<string>();
  readonly containers: FakeContainer[] = [];
  /** Every engine call, in order: `start sbx-1`, `logs sbx-1`, `exec-start sbx-1 ls`, ... */
  readonly calls: string[] = [];
  /** The abort signal each call in `calls` was given (same index), or undefined. */
  readonly callSignals: Array<AbortSignal | undefined> = [];
  readonly pulls: string[] = [];
  /** Images whose pull the registry fails, and how (as the engine answers: an HTTP error with its text). */
  readonly pullFailures = new Map<string, FakePullFailure>();
  readonly listOptions: DockerListContainersOptions[] = [];
  /** Every stream the engine handed out (attach, logs, exec, events). */
  readonly streams: PassThrough[] = [];
  hooks: FakeDockerHooks = {};
  /** Set `agents.options` to run a fake agent in every container the adapter injects one into. */
  readonly agents = new FakeAgents();
  /** What an image's inspect says about its entrypoint, command and user; default `{ Cmd: ['sh'] }`. */
  readonly imageConfigs = new Map<string, DockerImageConfig>();
  /**
   * The runtimes `info()` lists (as `docker info`'s `Runtimes`); a create naming another one fails with the
   * engine's 400 `Unknown runtime specified NAME`. Default: `runc` only.
   */
  runtimes: NonNullable<DockerEngineInfo['Runtimes']> = { runc: { path: 'runc' } };
  /** The runtime of a container that names none. */
  defaultRuntime = 'runc';
  /** Summaries `listContainers` answers with, when set (otherwise built from `containers`). */
  listed: DockerContainerSummary[] | undefined;
  execHandler: (
    cmd: string[],
    container: FakeContainer,
    options: DockerExecCreateOptions,
    io: FakeExecIo,
  ) => FakeExecResult | Promise<FakeExecResult> = () => ({ exitCode: 0 });
  readonly modem = { socketPath: '/var/run/docker.sock' };
  readonly #events = new FakeEvents();
  #nextId = 1;

  constructor(images: string[] = []) {
    for (const image of images) this.images.add(image);
  }

  /** Every event the engine emitted, in order. */
  get events(): readonly FakeEngineEvent[] {
    return this.#events.emitted;
  }

  /** Containers not removed. */
  get live(): FakeContainer[] {
    return this.containers.filter((c) => !c.removed);
  }

  /**
   * Streams not yet destroyed: neither destroyed by the client nor read to their end. On a real engine each
   * holds a socket, and keeps Node running.
   */
  get openStreams(): PassThrough[] {
    return this.streams.filter((s) => !s.destroyed);
  }

  /** Records a call and its signal (used by the fake's containers). */
  record(call: string, options?: DockerCallOptions): void {
    this.calls.push(call);
    this.callSignals.push(options?.abortSignal);
  }

  /** A new stream, counted in `streams`. */
  openStream(): PassThrough {
    return this.adopt(new PassThrough());
  }

  /** Counts a stream made elsewhere (an exec's) in `streams`. */
  adopt<S extends PassThrough>(stream: S): S {
    this.streams.push(stream);
    return stream;
  }

  /** Waits for a hook that delays a stream's reply; a hook that throws is an error answer: no stream then. */
  async delayReply(stream: PassThrough, hook: () => Promise<void> | void): Promise<void> {
    try {
      await hook();
    } catch (error) {
      stream.destroy();
      throw error;
    }
  }

  /** Writes a container event to every events stream whose filters it passes (used by the fake's containers). */
  emitEvent(container: FakeContainer, action: string, attributes: Record<string, string> = {}): void {
    this.#events.emit(container, action, attributes);
  }

  /** Ends (or fails with `error`) every open events stream, as an engine restart would. */
  dropEventStreams(error?: Error): void {
    this.#events.drop(error);
  }

  /**
   * The engine restarts (without live-restore): its event streams end, every running container stops (exit 137,
   * as a `sleep` that ignores SIGTERM does), and the new engine remembers no event from before: a watch that
   * reconnects gets no replay of those deaths.
   */
  restartEngine(): void {
    this.dropEventStreams();
    for (const container of this.live) container.exit(137);
    this.#events.forget();
  }

  async getEvents(options: DockerEventsOptions = {}): Promise<NodeJS.ReadableStream> {
    this.record('events', options);
    await this.hooks.events?.(options);
    return this.#events.subscribe(this.openStream(), options);
  }

  async ping(): Promise<unknown> {
    this.record('ping');
    await this.hooks.ping?.();
    return 'OK';
  }

  async info(options?: DockerCallOptions): Promise<DockerEngineInfo> {
    this.record('info', options);
    await this.hooks.info?.();
    return { Runtimes: structuredClone(this.runtimes), DefaultRuntime: this.defaultRuntime };
  }

  getImage(name: string) {
    return {
      inspect: async () => {
        this.record(`inspect-image ${name}`);
        await this.hooks.inspectImage?.(name);
        if (!this.images.has(name)) throw httpError(404, `No such image: ${name}`);
        return { Id: `sha256:${name}`, Config: this.imageConfigs.get(name) ?? { Cmd: ['sh'] } };
      },
    };
  }

  async pull(name: string, options?: DockerCallOptions): Promise<NodeJS.ReadableStream> {
    this.record(`pull ${name}`, options);
    this.pulls.push(name);
    const failure = this.pullFailures.get(name);
    if (failure) throw pullError(failure, name);
    if (this.hooks.pull) return this.hooks.pull(name, options?.abortSignal);
    this.images.add(name);
    const stream = new PassThrough();
    stream.end(
      `${JSON.stringify({ status: 'Pulling from library' })}\n${JSON.stringify({ status: 'Done' })}\n`,
    );
    return stream;
  }

  async createContainer(config: DockerContainerCreateOptions): Promise<DockerContainerApi> {
    this.record(`create ${config.name}`, config as DockerCallOptions);
    await this.hooks.create?.(config);
    if (!config.Image || !this.images.has(config.Image))
      throw httpError(404, `No such image: ${config.Image}`);
    const runtime = config.HostConfig?.Runtime;
    if (runtime !== undefined && !Object.hasOwn(this.runtimes, runtime))
      throw httpError(400, `Unknown runtime specified ${runtime}`);
    const container = new FakeContainer(this, `c${this.#nextId++}`, config);
    this.containers.push(container);
    return container;
  }

  getContainer(idOrName: string): DockerContainerApi {
    const found = this.containers.find((c) => c.id === idOrName || c.name === idOrName);
    if (found) return found;
    const missing = new FakeContainer(this, idOrName, { name: idOrName });
    missing.removed = true;
    return missing;
  }

  async listContainers(options: DockerListContainersOptions = {}): Promise<DockerContainerSummary[]> {
    this.record('list', options);
    this.listOptions.push(options);
    await this.hooks.list?.();
    // The engine's label filters (`key=value` or `key`), as `GET /containers/json` applies them.
    const filters = typeof options.filters === 'string' ? JSON.parse(options.filters) : options.filters;
    const labels: string[] = filters?.label ?? [];
    const labelled = (c: FakeContainer) =>
      labels.every((filter) => {
        const [key = '', value] = filter.split('=', 2);
        const actual = c.config.Labels?.[key];
        return value === undefined ? actual !== undefined : actual === value;
      });
    return (
      this.listed ??
      this.live.filter(labelled).map((c) => ({
        Id: c.id,
        Names: [`/${c.name}`],
        Image: c.config.Image ?? '',
        Created: 1_800_000_000,
        State: c.state.Status,
        Labels: c.config.Labels ?? {},
      }))
    );
  }
}
