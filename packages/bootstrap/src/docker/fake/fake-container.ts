// A container in the fake engine. Where the real engine surprises, the fake does the same (see `remove`).
import type { PassThrough } from 'node:stream';
import type {
  DockerArchiveOptions,
  DockerCallOptions,
  DockerContainerApi,
  DockerContainerCreateOptions,
  DockerContainerInspect,
  DockerExecApi,
  DockerExecCreateOptions,
  DockerLogsOptions,
  DockerLogsSnapshotOptions,
  DockerPutArchiveOptions,
} from '../docker-api.js';
import { FakeFileSystem } from './fake-archive.js';
import type { FakeDocker } from './fake-docker.js';
import { FakeExecStream } from './fake-exec-stream.js';
import { type FakeExecResult, frame, httpError } from './fake-helpers.js';

/** A container in the fake engine. */
export class FakeContainer implements DockerContainerApi {
  readonly id: string;
  readonly name: string;
  readonly config: DockerContainerCreateOptions;
  state: DockerContainerInspect['State'] = { Status: 'created', Running: false, ExitCode: 0 };
  removed = false;
  /** True once `start()` succeeded. */
  started = false;
  readonly attached: PassThrough[] = [];
  /** Log streams opened with `follow: true`, still following. */
  readonly following: PassThrough[] = [];
  readonly execs: DockerExecCreateOptions[] = [];
  /** Its files, reached through the archive API. */
  readonly files: FakeFileSystem;
  // Everything the process printed, as frames: a log stream replays it from the start.
  readonly #history: Buffer[] = [];
  readonly #running: FakeExecStream[] = [];
  readonly #engine: FakeDocker;

  constructor(engine: FakeDocker, id: string, config: DockerContainerCreateOptions) {
    this.#engine = engine;
    this.id = id;
    this.name = config.name ?? id;
    this.config = config;
    this.files = new FakeFileSystem(config);
  }

  async inspect(options?: DockerCallOptions): Promise<DockerContainerInspect> {
    this.#engine.record(`inspect ${this.name}`, options);
    await this.#engine.hooks.inspect?.(this);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    return { Id: this.id, State: { ...this.state } };
  }

  async start(options?: DockerCallOptions): Promise<unknown> {
    this.#engine.record(`start ${this.name}`, options);
    await this.#engine.hooks.start?.(this);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    this.started = true;
    this.state = { ...this.state, Status: 'running', Running: true };
    await this.#engine.agents.start(this.name, this.config);
    this.#engine.hooks.afterStart?.(this);
    return undefined;
  }

  /**
   * Attaches to the output. The engine attaches at once; `hooks.attach` delays only the reply, which then
   * arrives even if the call was aborted (or the container removed) meanwhile.
   */
  async attach(options: DockerCallOptions = {}): Promise<NodeJS.ReadableStream> {
    this.#engine.record(`attach ${this.name}`, options);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    const stream = this.#engine.openStream();
    this.attached.push(stream);
    await this.#engine.delayReply(stream, () => this.#engine.hooks.attach?.(this));
    return stream;
  }

  /**
   * The log from the container's start (all of it, or its last `tail` chunks), then, with `follow`, new output
   * until the process ends.
   * Like `attach`, `hooks.logs` delays only the reply.
   */
  logs(options: DockerLogsOptions): Promise<NodeJS.ReadableStream>;
  logs(options: DockerLogsSnapshotOptions): Promise<Buffer>;
  async logs(
    options: DockerLogsOptions | DockerLogsSnapshotOptions,
  ): Promise<NodeJS.ReadableStream | Buffer> {
    this.#engine.record(`logs ${this.name}`, options);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    const history = this.#history.slice(-(options.tail ?? this.#history.length));
    if (!options.follow) return Buffer.concat(history);
    const stream = this.#engine.openStream();
    for (const chunk of history) stream.write(chunk);
    if (this.started && !this.state.Running) stream.end();
    else this.following.push(stream);
    await this.#engine.delayReply(stream, () => this.#engine.hooks.logs?.(this));
    return stream;
  }

  /**
   * dockerode's modem, as far as sbx uses it: `GET /containers/{id}/logs` without follow, answered as a stream
   * of what was printed so far (its last `tail` chunks).
   */
  readonly modem = {
    dial: (
      options: { path: string; abortSignal?: AbortSignal; options: { tail?: number } },
      callback: (error: unknown, stream: NodeJS.ReadableStream | null) => void,
    ): void => {
      this.#engine.record(
        `logs ${this.name}`,
        options.abortSignal ? { abortSignal: options.abortSignal } : {},
      );
      if (this.removed) {
        callback(httpError(404, `No such container: ${this.name}`), null);
        return;
      }
      const stream = this.#engine.openStream();
      for (const chunk of this.#history.slice(-(options.options.tail ?? this.#history.length)))
        stream.write(chunk);
      stream.end();
      callback(null, stream);
    },
  };

  async putArchive(file: Buffer | NodeJS.ReadableStream, options: DockerPutArchiveOptions): Promise<unknown> {
    this.#engine.record(`put-archive ${this.name} ${options.path}`, options);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    const chunks: Buffer[] = [];
    if (Buffer.isBuffer(file)) chunks.push(file);
    else for await (const chunk of file as AsyncIterable<Buffer>) chunks.push(chunk);
    this.files.put(options.path, Buffer.concat(chunks));
    return undefined;
  }

  async getArchive(options: DockerArchiveOptions): Promise<NodeJS.ReadableStream> {
    this.#engine.record(`get-archive ${this.name} ${options.path}`, options);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    const tar = this.files.get(options.path);
    const stream = this.#engine.openStream();
    stream.end(tar);
    return stream;
  }

  async infoArchive(options: DockerArchiveOptions): Promise<{ headers: Record<string, unknown> }> {
    this.#engine.record(`info-archive ${this.name} ${options.path}`, options);
    // The engine's HEAD answer has no body: a missing container and a missing path are both a bare 404.
    if (this.removed) throw httpError(404, 'no such container');
    try {
      return this.files.info(options.path);
    } catch {
      throw httpError(404, 'no such container');
    }
  }

  /** Writes a line to the log and every attached or following stream, as the container's process would. */
  print(text: string, stream: 1 | 2 = 1): void {
    const chunk = frame(stream, text);
    this.#history.push(chunk);
    for (const s of [...this.attached, ...this.following])
      if (!s.destroyed && !s.writableEnded) s.write(chunk);
  }

  /** Ends the process with `exitCode`: attached, log and exec streams end; the engine reports `die`. */
  exit(exitCode: number, oomKilled = false): void {
    if (!this.state.Running) return;
    this.state = {
      ...this.state,
      Status: 'exited',
      Running: false,
      ExitCode: exitCode,
      OOMKilled: oomKilled,
    };
    for (const s of [...this.attached, ...this.following]) if (!s.destroyed) s.end();
    for (const s of this.#running) s.finish();
    this.#engine.agents.stop(this.name);
    this.#engine.emitEvent(this, 'die', { exitCode: String(exitCode) });
  }

  /** The kernel kills the process for running out of memory: `oom`, then `die` with 137. */
  oom(): void {
    this.#engine.emitEvent(this, 'oom');
    this.exit(137, true);
  }

  async exec(options: DockerExecCreateOptions): Promise<DockerExecApi> {
    this.#engine.record(`exec ${this.name} ${options.Cmd.join(' ')}`, options);
    this.execs.push(options);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    if (!this.state.Running) throw httpError(409, `Container ${this.id} is not running`);
    const exec = this.#newExec(options);
    // The engine created the exec; `hooks.execCreate` delays only the reply.
    await this.#engine.hooks.execCreate?.(this, options);
    return exec;
  }

  /**
   * Force-removes the container (a running one dies first). Like the real engine (moby/moby#41657), an attach
   * to a container that never started stays open after the removal: nothing ever ends it.
   */
  async remove(options?: DockerCallOptions & { force?: boolean; v?: boolean }): Promise<unknown> {
    this.#engine.record(`remove ${this.name}`, options);
    await this.#engine.hooks.remove?.(this);
    if (this.removed) throw httpError(404, `No such container: ${this.name}`);
    if (this.state.Running && !options?.force) {
      throw httpError(
        409,
        `You cannot remove a running container ${this.id}. Stop the container before attempting removal or force remove`,
      );
    }
    this.exit(137);
    this.removed = true;
    this.state = { ...this.state, Status: 'removing', Running: false };
    const ending = this.started ? [...this.attached, ...this.following] : this.following;
    for (const s of ending) if (!s.destroyed) s.end();
    this.#engine.emitEvent(this, 'destroy');
    return undefined;
  }

  #newExec(options: DockerExecCreateOptions): DockerExecApi {
    const container = this;
    const engine = this.#engine;
    const what = `${this.name} ${options.Cmd.join(' ')}`;
    let result: FakeExecResult | undefined;
    return {
      async start(startOptions) {
        engine.record(`exec-start ${what}`, startOptions);
        if (container.removed) throw httpError(404, `No such container: ${container.name}`);
        if (!container.state.Running) throw httpError(409, `Container ${container.id} is not running`);
        const stream = engine.adopt(new FakeExecStream(options.AttachStdin === true));
        container.#running.push(stream);
        const io = {
          stdin: stream.stdin,
          print: (which: 1 | 2, text: string | Buffer) => stream.print(which, text),
          flood: (which: 1 | 2, chunk: string | Buffer) => stream.flood(which, chunk),
        };
        Promise.resolve(engine.execHandler(options.Cmd, container, options, io)).then(
          (r) => {
            result = r;
            if (r.stdout) stream.print(1, r.stdout);
            if (r.stderr) stream.print(2, r.stderr);
            stream.finish();
          },
          (error: unknown) => stream.destroy(error as Error),
        );
        // The command runs; `hooks.execStart` delays only the reply.
        await engine.delayReply(stream, () => engine.hooks.execStart?.(container, options));
        return stream;
      },
      async inspect(inspectOptions) {
        engine.record(`exec-inspect ${what}`, inspectOptions);
        if (result) return { Running: false, ExitCode: result.exitCode };
        // A command whose container died with it.
        return container.state.Running
          ? { Running: true, ExitCode: null }
          : { Running: false, ExitCode: 137 };
      },
    };
  }
}
