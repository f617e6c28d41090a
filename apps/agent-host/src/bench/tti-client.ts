import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HealthzFigures, TtiSample } from './tti-types.js';

// The client runs @sbx/client on a thread of its own, as a user's program in another process would: the host's
// event loop (engine streams, refills) does not delay when the client reads an answer. Each iteration is timed
// there: performance.now() before `sandboxes.create()`, again once `exec('node -v')` has resolved with its
// output; the sandbox is killed after that (not timed). It also polls `GET /healthz` while asked to.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
let health;
const oneLine = (e) => String((e && e.code ? e.code + ': ' : '') + (e && e.message ? e.message : e)).split('\\n')[0].slice(0, 300);
import(workerData.clientUrl).then(({ SbxClient }) => {
  let sbx;
  let baseUrl;
  parentPort.on('message', async (m) => {
    if (m.op === 'target') {
      baseUrl = m.baseUrl;
      sbx = new SbxClient({ baseUrl: m.baseUrl, token: m.token });
    } else if (m.op === 'tti') {
      const started = now();
      let box, createMs, hit;
      try {
        box = await sbx.sandboxes.create(m.create);
        createMs = now() - started;
        if (m.create.pool !== undefined) hit = box.created.source === 'pool';
        const result = await box.exec(m.cmd);
        const ttiMs = now() - started;
        const ok = result.exitCode === 0 && /^v\\d+\\./.test(result.stdout.trim());
        parentPort.postMessage({ id: m.id, sample: { atMs: started, ttiMs, createMs, ok, hit, ...(ok ? {} : { error: 'node -v answered ' + JSON.stringify(result.stdout.slice(0, 80)) + ' exit ' + result.exitCode }) } });
      } catch (e) {
        parentPort.postMessage({ id: m.id, sample: { atMs: started, ttiMs: now() - started, createMs, ok: false, hit, error: oneLine(e) } });
      }
      if (box) await box.kill().catch(() => {});
      parentPort.postMessage({ id: m.id, killed: true });
    } else if (m.op === 'health-start') {
      health = { times: [], failed: 0, on: true };
      const h = health;
      (async () => {
        while (h.on) {
          const started = now();
          try {
            const r = await fetch(baseUrl + '/healthz', { signal: AbortSignal.timeout(5000) });
            await r.arrayBuffer();
            if (r.ok) h.times.push(now() - started); else h.failed++;
          } catch { h.failed++; }
          await new Promise((resolve) => setTimeout(resolve, m.everyMs));
        }
      })();
    } else if (m.op === 'health-stop') {
      const h = health || { times: [], failed: 0 };
      h.on = false;
      parentPort.postMessage({ id: m.id, health: { times: h.times, failed: h.failed } });
    } else if (m.op === 'close') {
      if (health) health.on = false;
      parentPort.close();
    }
  });
  parentPort.postMessage({ ready: true });
}, (e) => parentPort.postMessage({ ready: false, error: String(e) }));
`;

/** What one iteration creates: a spec (cold) or `{ pool }`. */
export type TtiCreate = Record<string, unknown>;

/**
 * Times iterations through `@sbx/client` on a client thread, against a host serving on loopback; one thread
 * for a whole run (`use()` points it at each series' host), so only the run's first iteration pays for loading
 * the client.
 */
export class TtiClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (message: WorkerReply) => void>();
  readonly #killed = new Map<number, () => void>();
  readonly #ready: Promise<void>;
  #next = 0;

  constructor() {
    const clientUrl = pathToFileURL(createRequire(import.meta.url).resolve('@sbx/client')).href;
    this.#worker = new Worker(WORKER, { eval: true, workerData: { clientUrl } });
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.once('error', reject);
      this.#worker.once('message', (m: { ready: boolean; error?: string }) =>
        m.ready ? resolve() : reject(new Error(`the bench client did not start: ${m.error}`)),
      );
    });
    this.#worker.on('message', (m: WorkerReply & { ready?: boolean }) => {
      if (m.ready !== undefined) return;
      if (m.killed) {
        this.#killed.get(m.id)?.();
        this.#killed.delete(m.id);
        return;
      }
      this.#pending.get(m.id)?.(m);
      this.#pending.delete(m.id);
    });
  }

  /** Sends the next iterations to the host at `baseUrl` with `token`. */
  use(target: { baseUrl: string; token: string }): void {
    this.#worker.postMessage({ op: 'target', ...target });
  }

  /**
   * One iteration: create, then `node -v`; resolves with its sample once timed, and `killed` once the sandbox
   * is gone (sequential runs wait for it before the next). Never rejects: a failure is a sample with `ok: false`.
   */
  async iterate(create: TtiCreate): Promise<{ sample: TtiSample; killed: Promise<void> }> {
    await this.#ready;
    const id = this.#next++;
    const killed = new Promise<void>((resolve) => this.#killed.set(id, resolve));
    const reply = await this.#ask(id, { op: 'tti', create, cmd: 'node -v' });
    return { sample: reply.sample as TtiSample, killed };
  }

  /** Starts polling `GET /healthz` every `everyMs`. */
  async startHealth(everyMs = 50): Promise<void> {
    await this.#ready;
    this.#worker.postMessage({ op: 'health-start', everyMs });
  }

  /** Stops polling and says how `/healthz` answered meanwhile. */
  async stopHealth(): Promise<{ times: number[]; failed: number }> {
    const reply = await this.#ask(this.#next++, { op: 'health-stop' });
    return reply.health ?? { times: [], failed: 0 };
  }

  /** Ends the client thread. */
  async close(): Promise<void> {
    this.#worker.postMessage({ op: 'close' });
    await this.#worker.terminate();
  }

  #ask(id: number, message: Record<string, unknown>): Promise<WorkerReply> {
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ id, ...message });
    });
  }
}

interface WorkerReply {
  id: number;
  killed?: boolean;
  sample?: TtiSample;
  health?: { times: number[]; failed: number };
}

/** `/healthz` answers summarized: count, failures, p50/p95/max. */
export function healthFigures(health: { times: number[]; failed: number }): HealthzFigures {
  const sorted = [...health.times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    n: sorted.length + health.failed,
    failed: health.failed,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: sorted[sorted.length - 1],
  };
}
