import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { ResultSpool } from './result-spool.js';
import { SpooledStore, type SpoolTargets } from './spooled-store.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const result = (durationMs: number): ProvisionResult => ({
  sandboxType: 'docker',
  durationMs,
  status: 'ok',
  timestamp: new Date(0),
});

/** A store that can be taken away: while `down`, every write fails as a lost connection does. */
function flakyStore() {
  const rows = new Map<string, number>();
  const order: string[] = [];
  const state = { down: false, hang: false };
  const write = async (id: string, value: number) => {
    if (state.hang) return new Promise<never>(() => {});
    if (state.down) throw new StoreError('WRITE_FAILED', 'Connection terminated unexpectedly');
    if (!rows.has(id)) order.push(id);
    rows.set(id, rows.has(id) ? (rows.get(id) as number) : value);
  };
  const targets: SpoolTargets = {
    provision: (r, id) => write(id, r.durationMs),
    perf: (r, id) => write(id, r.durationMs),
    alert: async (a, id) => {
      await write(id, a.valueMs);
      return { ...a, id: 1, createdAt: new Date() };
    },
  };
  return { rows, order, state, targets };
}

let base = '';
async function open(maxBytes?: number) {
  base = join(mkdtempSync(join(tmpdir(), 'sbx-spooled-')), 'spool.jsonl');
  return ResultSpool.open(base, maxBytes === undefined ? {} : { maxBytes });
}

describe('SpooledStore', () => {
  it('writes through while the store answers; spools while it is away and flushes in order, once each', async () => {
    const store = flakyStore();
    const spooled = new SpooledStore({
      spool: await open(),
      targets: store.targets,
      logger: quiet,
      maxBackoffMs: 20,
    });
    await spooled.provision(result(1));
    expect(spooled.health()).toEqual({ status: 'ok', spooled: 0, oldestAgeSeconds: 0 });
    store.state.down = true;
    await spooled.provision(result(2));
    await spooled.perf({
      sandboxId: 's',
      startTime: 0,
      durationMs: 3,
      outcome: 'success',
      alertFired: false,
    });
    await spooled.alert({ kind: 'sla-breach', valueMs: 4, thresholdMs: 1, message: 'm' });
    expect(spooled.health()).toMatchObject({ status: 'degraded', spooled: 3 });
    store.state.down = false;
    // Queued behind what is spooled, even though the store answers again.
    await spooled.provision(result(5));
    expect(await spooled.drain(2_000)).toBe(true);
    expect(store.order.map((id) => store.rows.get(id))).toEqual([1, 2, 3, 4, 5]);
    expect(spooled.health().status).toBe('ok');
    await spooled.close();
  });

  it('spools a write the store does not answer in time (a hung connection)', async () => {
    const store = flakyStore();
    const spooled = new SpooledStore({
      spool: await open(),
      targets: store.targets,
      logger: quiet,
      writeTimeoutMs: 30,
    });
    store.state.hang = true;
    await spooled.provision(result(1));
    expect(spooled.health().spooled).toBe(1);
    store.state.hang = false;
    expect(await spooled.drain(2_000)).toBe(true);
    expect([...store.rows.values()]).toEqual([1]);
    await spooled.close();
  });

  it('passes a caller mistake (INVALID_INPUT) through without spooling it', async () => {
    const store = flakyStore();
    store.targets.provision = async () => {
      throw new StoreError('INVALID_INPUT', 'durationMs must be >= 0', { field: 'durationMs' });
    };
    const spooled = new SpooledStore({ spool: await open(), targets: store.targets, logger: quiet });
    await expect(spooled.provision(result(-1))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(spooled.health().spooled).toBe(0);
    await spooled.close();
  });

  it('is down, and says why, when the spool is full; an entry left at close is flushed by the next process', async () => {
    const store = flakyStore();
    const spool = await open(400);
    const spooled = new SpooledStore({ spool, targets: store.targets, logger: quiet, maxBackoffMs: 20 });
    store.state.down = true;
    await spooled.provision(result(1));
    await spooled.provision(result(2));
    await expect(spooled.provision(result(3))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(spooled.refusal).toMatch(/is full \(400 bytes\)/);
    expect(spooled.health()).toMatchObject({
      status: 'down',
      spooled: 2,
      reason: expect.stringMatching(/full/),
    });
    expect(await spooled.close({ timeoutMs: 50 })).toBe(2);

    store.state.down = false;
    const next = new SpooledStore({
      spool: await ResultSpool.open(base),
      targets: store.targets,
      logger: quiet,
    });
    expect(await next.drain(2_000)).toBe(true);
    expect(store.order.map((id) => store.rows.get(id))).toEqual([1, 2]);
    await next.close();
  });

  it('spools what a result is (never the sandbox it carries) and hands it back with a Date after a restart', async () => {
    const spool = await open();
    const down = new SpooledStore({
      spool,
      logger: quiet,
      targets: { ...flakyStore().targets, provision: async () => Promise.reject(new Error('ECONNREFUSED')) },
    });
    await down.provision(Object.assign(result(7), { value: { huge: 'x'.repeat(10_000) } }));
    await down.close();
    const received: ProvisionResult[] = [];
    const next = new SpooledStore({
      spool: await ResultSpool.open(base),
      logger: quiet,
      targets: { ...flakyStore().targets, provision: async (r) => void received.push(r) },
    });
    expect(await next.drain(2_000)).toBe(true);
    expect(received).toEqual([
      { sandboxType: 'docker', durationMs: 7, status: 'ok', timestamp: new Date(0) },
    ]);
    expect(received[0]?.timestamp).toBeInstanceOf(Date);
    await next.close();
  });
});
