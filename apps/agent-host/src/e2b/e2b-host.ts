import type { DockerSandboxSpec, ExecResult, SandboxFiles } from '@sbx/bootstrap';
import type { HostSandbox } from '../core/host-adapter.js';
import type { OpenRun } from '../core/measured-use.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { AgentHostError } from '../errors.js';
import type { SandboxService } from '../service/sandbox-service.js';

/** What the E2B door asks of a new sandbox: an sbx template (or a warm pool of that name), TTL and env. */
export interface E2bCreate {
  tenant: string;
  template: string;
  ttlMs?: number;
  env?: Record<string, string>;
  /** Its labels (the door's facts, sandbox-labels.ts): the host's record of it, and a cold one's container labels. */
  labels?: Record<string, string>;
  signal?: AbortSignal;
}

/** A command the door runs through the host (measured by the perf monitor like `POST /v1/.../exec`). */
export interface E2bExec {
  argv: readonly string[];
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. */
  stdin?: Uint8Array;
  signal: AbortSignal;
  onOutput(stream: 'stdout' | 'stderr', chunk: Uint8Array): unknown;
}

/**
 * The one place the E2B door calls the sandbox service, the same one the HTTP API's routes and the CLI call
 * (parse, policy, engine check, admission, pool hand-out or cold provisioning, tenancy, measurement): this
 * file only turns E2B's requests into the service's.
 */
export class E2bHost {
  readonly #service: SandboxService;

  constructor(deps: { service: SandboxService }) {
    this.#service = deps.service;
  }

  /** The host's policy (caps on output, files, timeouts). */
  get policy(): SandboxPolicy {
    return this.#service.policy;
  }

  /**
   * A sandbox for `tenant`: a ready member of the warm pool named `template` when the host has one, else a
   * cold docker sandbox of the built template `template`; throws the host's errors (`TEMPLATE_NOT_FOUND`, caps).
   */
  async create(request: E2bCreate): Promise<{ sandbox: HostSandbox; source: 'pool' | 'cold' }> {
    const options = {
      tenant: request.tenant,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.labels ? { labels: request.labels } : {}),
    };
    if (this.#service.pools.has(request.template)) {
      const { sandbox, source } = await this.#service.create({
        ...options,
        body: { pool: request.template },
      });
      if (request.ttlMs !== undefined) this.extendTtl(sandbox.id, request.ttlMs);
      return { sandbox, source };
    }
    const body = {
      type: 'docker',
      template: request.template,
      ...(request.ttlMs === undefined ? {} : { ttlMs: request.ttlMs }),
      ...(request.env && Object.keys(request.env).length > 0 ? { env: request.env } : {}),
    };
    const admitted = await this.#service.admit(body);
    if (request.labels) Object.assign(admitted.spec as DockerSandboxSpec, { labels: { ...request.labels } });
    const { sandbox } = await this.#service.create({ ...options, admitted });
    return { sandbox, source: 'cold' };
  }

  /** The tenant's live sandbox `id`, or undefined (unknown, gone, or another tenant's). */
  find(id: string, tenant: string): HostSandbox | undefined {
    const found = this.#service.find(id, tenant);
    return found.state === 'live' ? found.sandbox : undefined;
  }

  /** The ids of the tenant's live sandboxes. */
  list(tenant: string): string[] {
    return this.#service.list(tenant).map((s) => s.id);
  }

  /** A live sandbox's labels on the host (set at create, removed with it). */
  labelsOf(id: string): Readonly<Record<string, string>> | undefined {
    return this.#service.labels.labelsOf(id);
  }

  /** Replaces a live sandbox's labels on the host; false when it is not live. */
  setLabels(id: string, labels: Record<string, string>): boolean {
    return this.#service.labels.setLabels(id, labels);
  }

  /** True while `id` is a live sandbox (any tenant's). */
  alive(id: string): boolean {
    return this.#service.alive(id);
  }

  /** Freezes a live sandbox's processes (the engine's pause; memory kept). */
  async pause(id: string, tenant: string): Promise<void> {
    const sandbox = this.#live(id, tenant);
    if (!sandbox.pause)
      throw new AgentHostError('UNSUPPORTED_TYPE', `${sandbox.type} sandboxes cannot pause`);
    await this.#service.use(sandbox, (signal) => sandbox.pause?.({ signal }) ?? Promise.resolve());
  }

  /** Thaws a paused sandbox. */
  async resume(id: string, tenant: string): Promise<void> {
    const sandbox = this.#live(id, tenant);
    if (!sandbox.resume)
      throw new AgentHostError('UNSUPPORTED_TYPE', `${sandbox.type} sandboxes cannot resume`);
    await this.#service.use(sandbox, (signal) => sandbox.resume?.({ signal }) ?? Promise.resolve());
  }

  #live(id: string, tenant: string): HostSandbox {
    const sandbox = this.find(id, tenant);
    if (!sandbox) throw new AgentHostError('SANDBOX_NOT_FOUND', `no live sandbox ${id}`);
    return sandbox;
  }

  /** When a live sandbox was made and expires. */
  times(id: string): { createdAt: number; expiresAt: number } | undefined {
    return this.#service.times(id);
  }

  /** Moves a live sandbox's expiry to `ttlMs` from now (within the policy); resolves to the new expiry. */
  extendTtl(id: string, ttlMs: number): number {
    return this.#service.extendTtl(id, ttlMs);
  }

  /** Milliseconds a live sandbox may still live (the policy's `maxTtlMs` from its creation); 0 when none. */
  ttlLeft(id: string): number {
    const times = this.#service.times(id);
    return times ? Math.max(0, times.createdAt + this.#service.policy.maxTtlMs - Date.now()) : 0;
  }

  /** Lets the door keep a sandbox the host's sweep would remove (`autoPause`); see `SandboxHost.keepDue`. */
  keepDue(keep: (id: string) => boolean): void {
    this.#service.keepDue(keep);
  }

  /**
   * Runs `fn` as a use of a live sandbox timed by the perf monitor as one run, like a command (`runJob`):
   * perf record, `/metrics`, overhead alert. `keepOpen` leaves the run open for a stream that ends it.
   */
  measured<T>(
    sandbox: HostSandbox,
    fn: (signal: AbortSignal, keepOpen: () => OpenRun) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.#service.files(sandbox, fn, signal);
  }

  /** Removes a live sandbox; false when it was not live. */
  dispose(id: string): Promise<boolean> {
    return this.#service.dispose(id);
  }

  /** Runs a command (timed by the perf monitor); a non-zero exit is a result. */
  async exec(sandbox: HostSandbox, run: E2bExec): Promise<ExecResult> {
    const { exec } = await this.#service.exec(sandbox, run.argv, {
      signal: run.signal,
      maxOutputBytes: this.policy.maxExecOutputBytes,
      timeoutMs: Math.min(run.timeoutMs ?? this.policy.maxExecTimeoutMs, this.policy.maxExecTimeoutMs),
      onOutput: run.onOutput,
      ...(run.env && Object.keys(run.env).length > 0 ? { env: run.env } : {}),
      ...(run.cwd ? { workingDir: run.cwd } : {}),
      ...(run.stdin ? { stdin: run.stdin } : {}),
    });
    return exec;
  }

  /** Runs `fn` as a use of a live sandbox (activity; the host's shutdown aborts it; a gone sandbox is dropped). */
  use<T>(sandbox: HostSandbox, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#service.use(sandbox, fn, signal);
  }

  /** Runs a file call on a live sandbox (counted as activity, aborted by the host's shutdown). */
  files<T>(
    sandbox: HostSandbox,
    fn: (files: SandboxFiles, signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const { files } = sandbox;
    if (!files) throw new AgentHostError('UNSUPPORTED_TYPE', `${sandbox.type} sandboxes have no files here`);
    return this.#service.use(sandbox, (s) => fn(files, s), signal);
  }
}
