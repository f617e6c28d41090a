// The subset of dockerode that DockerAdapter calls, declared here so tests hand in a fake (no module mocks)
// and `new Dockerode()` satisfies it structurally. Field names follow the Docker Engine API. Optional fields
// are `?: T | undefined` where @types/dockerode declares them so (not abortSignal), so dockerode stays
// a DockerApi for consumers with exactOptionalPropertyTypes: typecheck/dockerode.test-d.ts checks it.

/** Lets a call be cancelled; dockerode passes it to the HTTP request. */
export interface DockerCallOptions {
  abortSignal?: AbortSignal;
}

/** The Docker client `DockerAdapter` drives: `new Dockerode()` satisfies it. */
export interface DockerApi {
  ping(options?: DockerCallOptions): Promise<unknown>;
  /** `GET /info`: the adapter reads the engine's runtimes from it. */
  info(options?: DockerCallOptions): Promise<DockerEngineInfo>;
  getImage(name: string): DockerImageApi;
  /** Resolves to the progress stream (JSON lines); the pull is done when the stream ends. */
  pull(repoTag: string, options?: DockerCallOptions): Promise<NodeJS.ReadableStream>;
  createContainer(options: DockerContainerCreateOptions): Promise<DockerContainerApi>;
  getContainer(id: string): DockerContainerApi;
  listContainers(options?: DockerListContainersOptions): Promise<DockerContainerSummary[]>;
  /** Resolves to the engine's event stream (one JSON object a line) once the engine answered. */
  getEvents(options?: DockerEventsOptions): Promise<NodeJS.ReadableStream>;
  /** dockerode's connection (`socketPath`, `host`, `port`), read only to say where the engine was expected. */
  readonly modem?: unknown;
}

/** What `GET /info` returns that the adapter reads. */
export interface DockerEngineInfo {
  /** Runtime name -> how the engine runs it (`{ runsc: { path: '/usr/bin/runsc', runtimeArgs: [...] } }`). */
  Runtimes?: Record<string, { path?: string | undefined; runtimeArgs?: string[] | undefined }> | undefined;
  /** The runtime of a container that names none. */
  DefaultRuntime?: string | undefined;
}

/** One image by name. */
export interface DockerImageApi {
  /** Takes no signal (dockerode would not pass one on): the adapter races it against its signal instead. */
  inspect(): Promise<{ Id: string; Config?: DockerImageConfig | undefined }>;
}

/** What an image's inspect says about how it runs (the agent wraps its entrypoint and command). */
export interface DockerImageConfig {
  Entrypoint?: string | string[] | null | undefined;
  Cmd?: string | string[] | null | undefined;
  User?: string | undefined;
}

/** One container by id or name. */
export interface DockerContainerApi {
  readonly id: string;
  inspect(options?: DockerCallOptions): Promise<DockerContainerInspect>;
  start(options?: DockerCallOptions): Promise<unknown>;
  /** With `follow: true` resolves to the multiplexed log from the container's start, then new output live. */
  logs(options: DockerLogsOptions): Promise<NodeJS.ReadableStream>;
  /** Without `follow`, resolves to the multiplexed log so far (`tail` lines at most) in one buffer. */
  logs(options: DockerLogsSnapshotOptions): Promise<Buffer>;
  /**
   * `PUT /containers/{id}/archive`: unpacks a tar into the directory `path` inside the container. Never pass a
   * string: dockerode would read it as a file on this host.
   */
  putArchive(file: Buffer | NodeJS.ReadableStream, options: DockerPutArchiveOptions): Promise<unknown>;
  /** `GET /containers/{id}/archive`: a tar of `path` inside the container (its base name first). */
  getArchive(options: DockerArchiveOptions): Promise<NodeJS.ReadableStream>;
  /** `HEAD /containers/{id}/archive`: `headers['x-docker-container-path-stat']` is base64 JSON of `path`'s stat. */
  infoArchive(options: DockerArchiveOptions): Promise<{ headers: Record<string, unknown> }>;
  exec(options: DockerExecCreateOptions): Promise<DockerExecApi>;
  /** `POST /containers/{id}/pause`: freezes every process (cgroup freezer); optional in fakes. */
  pause?(options?: DockerCallOptions): Promise<unknown>;
  /** `POST /containers/{id}/unpause`. */
  unpause?(options?: DockerCallOptions): Promise<unknown>;
  remove(options?: {
    force?: boolean | undefined;
    v?: boolean | undefined;
    abortSignal?: AbortSignal;
  }): Promise<unknown>;
}

/** Options of `GET /containers/{id}/logs` with `follow` (a stream until the container stops). */
export interface DockerLogsOptions {
  follow: true;
  stdout: boolean;
  stderr: boolean;
  /** Start from the last this many lines rather than the beginning. */
  tail?: number;
  abortSignal?: AbortSignal;
}

/** Options of `GET /containers/{id}/logs` without `follow`: what was printed so far. */
export interface DockerLogsSnapshotOptions {
  follow?: false;
  stdout: boolean;
  stderr: boolean;
  /** The last this many lines. */
  tail?: number;
  abortSignal?: AbortSignal;
}

/** Names a path inside a container for the archive API. */
export interface DockerArchiveOptions {
  path: string;
  abortSignal?: AbortSignal;
}

/** Options of `PUT /containers/{id}/archive`. */
export interface DockerPutArchiveOptions extends DockerArchiveOptions {
  /** Refuse to replace a directory with a file or the other way round. */
  noOverwriteDirNonDir?: boolean;
  /** Own what is unpacked as the container's user (not as the archive says). */
  copyUIDGID?: boolean;
}

/** Options of `GET /events`: `since` (Unix seconds) replays the engine's recent events from then on. */
export interface DockerEventsOptions {
  since?: number | undefined;
  filters?:
    | { type?: Array<'container'> | undefined; event?: string[] | undefined; label?: string[] | undefined }
    | undefined;
  abortSignal?: AbortSignal;
}

/** One exec instance inside a container. */
export interface DockerExecApi {
  /** With `hijack: true` resolves to the multiplexed output stream; it ends when the command exits. */
  start(options: {
    hijack?: boolean | undefined;
    stdin?: boolean | undefined;
    abortSignal?: AbortSignal;
  }): Promise<NodeJS.ReadableStream>;
  inspect(options?: DockerCallOptions): Promise<{ ExitCode: number | null; Running: boolean }>;
}

/** Options of `POST /containers/{id}/exec`. */
export interface DockerExecCreateOptions {
  Cmd: string[];
  AttachStdout: boolean;
  AttachStderr: boolean;
  AttachStdin?: boolean | undefined;
  Tty?: boolean | undefined;
  Env?: string[] | undefined;
  WorkingDir?: string | undefined;
  abortSignal?: AbortSignal;
}

/** The health check Docker runs in the container (durations in nanoseconds). */
export interface DockerHealthConfig {
  Test?: string[] | undefined;
  Interval?: number | undefined;
  Timeout?: number | undefined;
  StartPeriod?: number | undefined;
  Retries?: number | undefined;
}

/** The fields of `POST /containers/create` the adapter sets. */
export interface DockerContainerCreateOptions {
  name?: string | undefined;
  Image?: string | undefined;
  /** Replaces the image's entrypoint (the agent's `init` wraps the sandbox's command). */
  Entrypoint?: string[] | undefined;
  Cmd?: string[] | undefined;
  Env?: string[] | undefined;
  WorkingDir?: string | undefined;
  User?: string | undefined;
  Labels?: Record<string, string> | undefined;
  Tty?: boolean | undefined;
  OpenStdin?: boolean | undefined;
  AttachStdin?: boolean | undefined;
  AttachStdout?: boolean | undefined;
  AttachStderr?: boolean | undefined;
  NetworkDisabled?: boolean | undefined;
  Healthcheck?: DockerHealthConfig | undefined;
  HostConfig?:
    | {
        NetworkMode?: string | undefined;
        /** The engine runtime (`runc`, `runsc`); the engine's default when absent. */
        Runtime?: string | undefined;
        /** Runs the engine's init (docker-init) as PID 1: it reaps orphans and forwards signals. */
        Init?: boolean | undefined;
        Privileged?: boolean | undefined;
        CapDrop?: string[] | undefined;
        /** Capabilities given back after `CapDrop` (the agent's user switching: SETUID, SETGID). */
        CapAdd?: string[] | undefined;
        SecurityOpt?: string[] | undefined;
        Memory?: number | undefined;
        MemorySwap?: number | undefined;
        NanoCpus?: number | undefined;
        PidsLimit?: number | undefined;
        AutoRemove?: boolean | undefined;
        ReadonlyRootfs?: boolean | undefined;
        /** Mount point -> tmpfs options, e.g. `{ '/tmp': 'rw,size=67108864,mode=1777' }`. */
        Tmpfs?: Record<string, string> | undefined;
        /**
         * Mounts. On a read-only rootfs the archive API writes only into volumes: it refuses `Tmpfs`, and (Docker
         * 20.10) writes beneath a `tmpfs` mount where the container never sees it.
         */
        Mounts?: DockerMount[] | undefined;
        PublishAllPorts?: boolean | undefined;
        /** The container's log driver and its options, e.g. json-file with `max-size` and `max-file`. */
        LogConfig?: { Type: string; Config: Record<string, string> } | undefined;
      }
    | undefined;
}

/** A mount of `POST /containers/create`: sbx uses an anonymous `local` volume backed by a tmpfs. */
export interface DockerMount {
  /** `bind` only for the agent's binary and socket directory, which sbx itself makes. */
  Type: 'volume' | 'tmpfs' | 'bind';
  ReadOnly?: boolean | undefined;
  /** Empty for an anonymous volume (removed with the container by `remove({ v: true })`). */
  Source: string;
  Target: string;
  VolumeOptions?: {
    NoCopy: boolean;
    Labels: Record<string, string>;
    DriverConfig: { Name: string; Options: Record<string, string> };
  };
}

/** What `GET /containers/{id}/json` returns that the adapter reads. */
export interface DockerContainerInspect {
  Id: string;
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    OOMKilled?: boolean | undefined;
    Error?: string | undefined;
    Health?: { Status: string; Log?: Array<{ ExitCode: number; Output: string }> | undefined } | undefined;
  };
}

/** Options of `GET /containers/json`. */
export interface DockerListContainersOptions {
  // As @types/dockerode declares these two: without `| undefined`.
  all?: boolean;
  filters?: string | Record<string, string[]>;
  abortSignal?: AbortSignal;
}

/** One row of `GET /containers/json`. */
export interface DockerContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  Created: number;
  State: string;
  Labels: Record<string, string>;
}
