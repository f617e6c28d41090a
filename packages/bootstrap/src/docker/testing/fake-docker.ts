// A scriptable in-memory DockerApi for unit tests: records calls, keeps containers, and lets a test decide
// what each engine call does (answer, fail, or hang until released). Not built into dist.
import { PassThrough } from 'node:stream';
import type {
  DockerApi,
  DockerContainerApi,
  DockerContainerCreateOptions,
  DockerContainerInspect,
  DockerContainerSummary,
  DockerExecApi,
  DockerExecCreateOptions,
  DockerListContainersOptions,
} from '../docker-api.js';

/** What one exec in the fake produces. */
export interface FakeExecResult {
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

/** An error shaped like docker-modem's for an HTTP status. */
export function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
}

/** An error shaped like Node's for a socket that cannot be reached. */
export function connectionError(code: string, address = '/var/run/docker.sock'): Error {
  return Object.assign(new Error(`connect ${code} ${address}`), { code, syscall: 'connect', address });
}

/** One multiplexed frame (stream 1 = stdout, 2 = stderr). */
export function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** A promise a test resolves or rejects when it wants. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A container in the fake engine. */
export class FakeContainer implements DockerContainerApi {
  readonly id: string;
  readonly name: string;
  readonly config: DockerContainerCreateOptions;
  state: DockerContainerInspect['State'] = { Status: 'created', Running: false, ExitCode: 0 };
  removed = false;
  readonly attached: PassThrough[] = [];
  readonly execs: DockerExecCreateOptions[] = [];
  readonly #engine: FakeDocker;

  constructor(engine: FakeDocker, id: string, config: DockerContainerCreateOptions) {
    this.#engine = engine;
    this.id = id;
    this.name = config.name ?? id;
    this.config = config;
  }

  async inspect(): Promise<DockerContainerInspect> {
    this.#engine.calls.push(`inspect ${this.name}`);
    await this.#engine.hooks.inspect?.(this);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    return { Id: this.id, State: { ...this.state } };
  }

  async start(): Promise<unknown> {
    this.#engine.calls.push(`start ${this.name}`);
    await this.#engine.hooks.start?.(this);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    this.state = { ...this.state, Status: 'running', Running: true };
    this.#engine.hooks.afterStart?.(this);
    return undefined;
  }

  async attach(): Promise<NodeJS.ReadableStream> {
    this.#engine.calls.push(`attach ${this.name}`);
    const stream = new PassThrough();
    this.attached.push(stream);
    return stream;
  }

  /** Writes a line to every attached stream, as the container's process would. */
  print(text: string, stream: 1 | 2 = 1): void {
    for (const s of this.attached) if (!s.destroyed) s.write(frame(stream, text));
  }

  /** Ends the process with `exitCode`: attached streams end. */
  exit(exitCode: number): void {
    this.state = { ...this.state, Status: 'exited', Running: false, ExitCode: exitCode };
    for (const s of this.attached) if (!s.destroyed) s.end();
  }

  async exec(options: DockerExecCreateOptions): Promise<DockerExecApi> {
    this.#engine.calls.push(`exec ${this.name} ${options.Cmd.join(' ')}`);
    this.execs.push(options);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    if (!this.state.Running) throw httpError(409, `Container ${this.id} is not running`);
    const container = this;
    const engine = this.#engine;
    let result: FakeExecResult | undefined;
    return {
      async start() {
        const stream = new PassThrough();
        Promise.resolve(engine.execHandler(options.Cmd, container, options)).then(
          (r) => {
            result = r;
            if (r.stdout) stream.write(frame(1, r.stdout));
            if (r.stderr) stream.write(frame(2, r.stderr));
            stream.end();
          },
          (error: unknown) => stream.destroy(error as Error),
        );
        return stream;
      },
      async inspect() {
        return result ? { Running: false, ExitCode: result.exitCode } : { Running: true, ExitCode: null };
      },
    };
  }

  async remove(): Promise<unknown> {
    this.#engine.calls.push(`remove ${this.name}`);
    await this.#engine.hooks.remove?.(this);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    this.removed = true;
    this.state = { ...this.state, Status: 'removing', Running: false };
    for (const s of this.attached) if (!s.destroyed) s.end();
    return undefined;
  }
}

/** Hooks a test sets to make engine calls slow, failing or observable. */
export interface FakeDockerHooks {
  ping?: () => Promise<void> | void;
  inspectImage?: (name: string) => Promise<void> | void;
  pull?: (name: string, signal: AbortSignal | undefined) => Promise<NodeJS.ReadableStream>;
  create?: (config: DockerContainerCreateOptions) => Promise<void> | void;
  start?: (container: FakeContainer) => Promise<void> | void;
  afterStart?: (container: FakeContainer) => void;
  inspect?: (container: FakeContainer) => Promise<void> | void;
  remove?: (container: FakeContainer) => Promise<void> | void;
  list?: () => Promise<void> | void;
}

/** The fake engine. */
export class FakeDocker implements DockerApi {
  readonly images = new Set<string>();
  readonly containers: FakeContainer[] = [];
  readonly calls: string[] = [];
  readonly pulls: string[] = [];
  readonly listOptions: DockerListContainersOptions[] = [];
  hooks: FakeDockerHooks = {};
  /** Summaries `listContainers` answers with, when set (otherwise built from `containers`). */
  listed: DockerContainerSummary[] | undefined;
  execHandler: (
    cmd: string[],
    container: FakeContainer,
    options: DockerExecCreateOptions,
  ) => FakeExecResult | Promise<FakeExecResult> = () => ({ exitCode: 0 });
  readonly modem = { socketPath: '/var/run/docker.sock' };
  #nextId = 1;

  constructor(images: string[] = []) {
    for (const image of images) this.images.add(image);
  }

  /** Containers not removed. */
  get live(): FakeContainer[] {
    return this.containers.filter((c) => !c.removed);
  }

  async ping(): Promise<unknown> {
    this.calls.push('ping');
    await this.hooks.ping?.();
    return 'OK';
  }

  getImage(name: string) {
    return {
      inspect: async () => {
        this.calls.push(`inspect-image ${name}`);
        await this.hooks.inspectImage?.(name);
        if (!this.images.has(name)) throw httpError(404, `No such image: ${name}`);
        return { Id: `sha256:${name}` };
      },
    };
  }

  async pull(name: string, options?: { abortSignal?: AbortSignal }): Promise<NodeJS.ReadableStream> {
    this.calls.push(`pull ${name}`);
    this.pulls.push(name);
    if (this.hooks.pull) return this.hooks.pull(name, options?.abortSignal);
    this.images.add(name);
    const stream = new PassThrough();
    stream.end(
      `${JSON.stringify({ status: 'Pulling from library' })}\n${JSON.stringify({ status: 'Done' })}\n`,
    );
    return stream;
  }

  async createContainer(config: DockerContainerCreateOptions): Promise<DockerContainerApi> {
    this.calls.push(`create ${config.name}`);
    await this.hooks.create?.(config);
    if (!config.Image || !this.images.has(config.Image))
      throw httpError(404, `No such image: ${config.Image}`);
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
    this.calls.push('list');
    this.listOptions.push(options);
    await this.hooks.list?.();
    return (
      this.listed ??
      this.live.map((c) => ({
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
