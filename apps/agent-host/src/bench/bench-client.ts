import { Worker } from 'node:worker_threads';
import type { SandboxService } from '../service/sandbox-service.js';
import type { BenchRequest } from './bench-types.js';

// The client runs on its own thread with its own event loop, as a caller in another process would: the host's
// event loop (refills starting, engine streams) does not delay when the client reads an answer. It uses
// node:http over kept-alive connections, the leanest client Node has (about 0.4 ms a loopback round trip).
const WORKER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const now = () => performance.timeOrigin + performance.now();
parentPort.on('message', (m) => {
  if (m.close) { agent.destroy(); parentPort.close(); return; }
  const started = now();
  const req = http.request({ host: m.host, port: m.port, path: m.path, method: m.method, agent, headers: m.headers }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      const roundTripMs = now() - started;
      const timing = res.headers['server-timing'];
      parentPort.postMessage({ id: m.id, started, roundTripMs, status: res.statusCode, serverTiming: timing, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
  req.on('error', (e) => parentPort.postMessage({ id: m.id, started, roundTripMs: now() - started, status: 0, body: '', error: e.message }));
  req.end(m.body);
});
`;

interface Reply {
  id: number;
  started: number;
  roundTripMs: number;
  status: number;
  serverTiming?: string;
  body: string;
  error?: string;
}

/** What a mode asks through: the whole client, or one runtime's lane of it. */
export type BenchAsker = Pick<BenchClient, 'ask' | 'remove' | 'now'>;

/** Sends the run's requests to the host's own HTTP API on loopback from a client thread, timed on that thread. */
export class BenchClient {
  readonly #worker = new Worker(WORKER, { eval: true });
  readonly #pending = new Map<number, (reply: Reply) => void>();
  readonly #target: { host: string; port: string; headers: Record<string, string> };
  readonly #t0: number;
  readonly #service: SandboxService;
  readonly #bodies: Record<BenchRequest['kind'], string>;
  #next = 0;

  constructor(options: {
    url: string;
    token: string;
    service: SandboxService;
    coldBody: Record<string, unknown>;
    pool: string;
  }) {
    const url = new URL(options.url);
    this.#target = {
      host: url.hostname,
      port: url.port,
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
    };
    this.#t0 = absoluteNow();
    this.#service = options.service;
    this.#bodies = { cold: JSON.stringify(options.coldBody), pool: JSON.stringify({ pool: options.pool }) };
    this.#worker.on('message', (reply: Reply) => {
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
  }

  /** Milliseconds since the run began. */
  now(): number {
    return absoluteNow() - this.#t0;
  }

  /**
   * The same client asking with another cold body and pool (one engine runtime of a comparison); its samples
   * carry `runtime`.
   */
  lane(runtime: string, coldBody: Record<string, unknown>, pool: string): BenchAsker {
    const bodies = { cold: JSON.stringify(coldBody), pool: JSON.stringify({ pool }) };
    return {
      now: () => this.now(),
      remove: (sample) => this.remove(sample),
      ask: async (kind) => ({ ...(await this.#ask(kind, bodies[kind])), runtime }),
    };
  }

  /** One `POST /v1/sandboxes`, cold or from the pool; never throws (a failure is a sample with its status). */
  ask(kind: BenchRequest['kind']): Promise<BenchRequest> {
    return this.#ask(kind, this.#bodies[kind]);
  }

  async #ask(kind: BenchRequest['kind'], requestBody: string): Promise<BenchRequest> {
    const reply = await this.#send('POST', '/v1/sandboxes', requestBody);
    const atMs = reply.started - this.#t0;
    const fail = (error: string) => ({
      kind,
      source: 'cold' as const,
      atMs,
      roundTripMs: reply.roundTripMs,
      serverMs: reply.roundTripMs,
      kpiMs: reply.roundTripMs,
      phases: [],
      status: reply.status,
      error,
    });
    if (reply.error) return fail(reply.error);
    const body = JSON.parse(reply.body) as AnswerBody;
    if (reply.status !== 201 || !body.id || !body.result) return fail(body.error?.message ?? 'no sandbox');
    const total = /total;dur=([\d.]+)/.exec(reply.serverTiming ?? '')?.[1];
    const sandbox = this.#service.get(body.id) as { containerId?: string } | undefined;
    return {
      kind,
      source: body.source ?? 'cold',
      atMs,
      roundTripMs: reply.roundTripMs,
      serverMs: total === undefined ? body.result.durationMs : Number(total),
      kpiMs: body.result.durationMs,
      phases: body.phases ?? [],
      status: reply.status,
      id: body.id,
      ...(sandbox?.containerId ? { containerId: sandbox.containerId } : {}),
    };
  }

  /** `DELETE /v1/sandboxes/:id` (not timed: the caller is done with it). */
  async remove(sample: BenchRequest): Promise<void> {
    if (sample.id) await this.#send('DELETE', `/v1/sandboxes/${sample.id}`);
  }

  /** Ends the client thread and its connections. */
  async close(): Promise<void> {
    this.#worker.postMessage({ close: true });
    await this.#worker.terminate();
  }

  #send(method: string, path: string, body?: string): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ id, method, path, body, ...this.#target });
    });
  }
}

interface AnswerBody {
  id?: string;
  source?: 'cold' | 'pool';
  result?: { durationMs: number };
  phases?: BenchRequest['phases'];
  error?: { message: string };
}

function absoluteNow(): number {
  return performance.timeOrigin + performance.now();
}
