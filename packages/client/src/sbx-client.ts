import type {
  Created,
  PoolRequest,
  RuntimeList,
  SandboxInfo,
  SandboxSpec,
  TemplateList,
} from './api-types.js';
import { callJson, type Transport } from './http.js';
import { Sandbox } from './sandbox.js';

/** Options of an `SbxClient`. */
export interface SbxClientOptions {
  /** Where the host listens, e.g. `http://127.0.0.1:7070`. */
  baseUrl: string;
  /** A token from the host's token file. */
  token: string;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
}

/** What `sandboxes.create()` takes: a spec (`type` defaults to `docker`), or a warm pool's name. */
export type CreateOptions = (Omit<SandboxSpec, 'type'> & { type?: SandboxSpec['type'] }) | PoolRequest;

/** A sandbox just created, with how its provisioning went. */
export interface CreatedSandbox extends Sandbox {
  readonly created: Created;
}

/**
 * A client of an sbx agent host (`sbx serve`): needs only `fetch`, so it runs in Node >= 20.19 and browsers.
 *
 * @example
 * const sbx = new SbxClient({ baseUrl: 'http://127.0.0.1:7070', token });
 * await using box = await sbx.sandboxes.create({ image: 'node:20', cmd: 'sleep infinity' });
 * await box.files.write('/tmp/hello.js', 'console.log("hi")');
 * const { exitCode } = await box.exec('node /tmp/hello.js', { onStdout: (text) => process.stdout.write(text) });
 */
export class SbxClient {
  /** Create, list and open sandboxes. */
  readonly sandboxes: {
    create(options: CreateOptions, call?: { signal?: AbortSignal }): Promise<CreatedSandbox>;
    list(call?: { signal?: AbortSignal }): Promise<SandboxInfo[]>;
    /** A handle on an existing sandbox by id (no call is made). */
    get(id: string): Sandbox;
  };
  readonly #transport: Transport;

  /** The engine runtimes the host offers (`runc`, `runsc`, ...), which its policy allows, and whether egress is. */
  runtimes(call: { signal?: AbortSignal } = {}): Promise<RuntimeList> {
    return callJson<RuntimeList>(this.#transport, '/v1/runtimes', { signal: call.signal });
  }

  /** The templates built on the host (`sbx template build`), which `sandboxes.create({ template })` may name. */
  templates(call: { signal?: AbortSignal } = {}): Promise<TemplateList> {
    return callJson<TemplateList>(this.#transport, '/v1/templates', { signal: call.signal });
  }

  constructor(options: SbxClientOptions) {
    const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#transport = { baseUrl: options.baseUrl.replace(/\/+$/, ''), token: options.token, fetch: fetchFn };
    const transport = this.#transport;
    this.sandboxes = {
      async create(spec, call = {}) {
        const body = 'pool' in spec ? spec : { type: 'docker', ...spec };
        const created = await callJson<Created>(transport, '/v1/sandboxes', {
          method: 'POST',
          body,
          signal: call.signal,
        });
        return Object.assign(new Sandbox(transport, created.id), { created });
      },
      async list(call = {}) {
        return (
          await callJson<{ sandboxes: SandboxInfo[] }>(transport, '/v1/sandboxes', { signal: call.signal })
        ).sandboxes;
      },
      get: (id) => new Sandbox(transport, id),
    };
  }
}
