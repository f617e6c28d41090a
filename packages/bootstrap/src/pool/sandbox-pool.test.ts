import { DockerAdapter, type DockerSandbox, type DockerSandboxSpec, SandboxPool } from '@sbx/bootstrap';
import { type ProvisionResult, SandboxProvisioner } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, FakeDocker } from '../docker/fake/fake-docker.js';

const IMAGE = 'sbx-test/app:1';
const NOW = Date.parse('2026-11-24T10:00:00.000Z');
const SPEC: DockerSandboxSpec = { image: IMAGE, cmd: ['sleep', '3600'] };

type Options = Partial<ConstructorParameters<typeof SandboxPool<DockerSandboxSpec, DockerSandbox>>[0]>;

function setup(options: Options = {}) {
  const docker = new FakeDocker([IMAGE]);
  const logger = { warn: vi.fn(), error: vi.fn() };
  const adapter = new DockerAdapter({ docker, owner: 'host-1:42', logger, defaultTtlMs: 3_600_000 });
  const results: ProvisionResult[] = [];
  const provisioner = new SandboxProvisioner({ logger, recorder: { record: (r) => void results.push(r) } });
  const pool = new SandboxPool({ adapter, spec: SPEC, size: 2, name: 'py', provisioner, logger, ...options });
  const sources = () => results.map((r) => r.attributes?.source);
  return { docker, logger, adapter, results, provisioner, pool, sources };
}

/** Lets every reply the fake engine has queued arrive. */
const settle = () => vi.advanceTimersByTimeAsync(1);
/** The turn of the event loop after this one, when a pool starts refilling behind a hand-out. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SandboxPool', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fills to its size in the background, each refill measured as source refill', async () => {
    const { pool, docker, results } = setup();
    expect(pool.stats()).toMatchObject({ ready: 0, refilling: 2 });
    await pool.ready();
    expect(pool.stats()).toMatchObject({ name: 'py', size: 2, ready: 2, refilling: 0, hits: 0, misses: 0 });
    expect(docker.live).toHaveLength(2);
    expect(results.map((r) => [r.attributes, r.phases?.map((p) => p.name)])).toEqual([
      [
        { source: 'refill', pool: 'py', runtime: 'runc', network: 'none' },
        ['image', 'create', 'start', 'ready'],
      ],
      [
        { source: 'refill', pool: 'py', runtime: 'runc', network: 'none' },
        ['image', 'create', 'start', 'ready'],
      ],
    ]);
    expect(pool.stats().refillP50Ms).toBeTypeOf('number');
    await pool.close();
  });

  it('hands each member out once, measured as source pool with an acquire phase, and refills behind it', async () => {
    const { pool, results, docker } = setup();
    await pool.ready();
    const first = await pool.acquire({ attributes: { tenant: 'team-a' } });
    const second = await pool.acquire();
    expect([first.source, second.source]).toEqual(['pool', 'pool']);
    expect(first.sandbox.id).not.toBe(second.sandbox.id);
    expect(first.result).toMatchObject({
      status: 'ok',
      // A hit says the runtime and network its member was provisioned with.
      attributes: { tenant: 'team-a', source: 'pool', pool: 'py', runtime: 'runc', network: 'none' },
    });
    expect(first.result.phases?.map((p) => p.name)).toEqual(['acquire']);
    expect(results.filter((r) => r.attributes?.source === 'pool')).toHaveLength(2);
    // Refills start after the hand-outs, not while a taker waits.
    expect(pool.stats()).toMatchObject({ hits: 2, misses: 0, ready: 0, refilling: 0 });
    await nextTurn();
    const { refilling, ready } = pool.stats();
    expect(refilling + ready).toBe(2);

    await pool.ready();
    const handedOut = new Set([first.sandbox.id, second.sandbox.id]);
    expect(pool.readyIds().some((id) => handedOut.has(id))).toBe(false);
    // Disposed by their taker, they are gone for good; the pool never sees them again.
    await first.sandbox.dispose();
    await second.sandbox.dispose();
    const next = await pool.acquire();
    expect(handedOut.has(next.sandbox.id)).toBe(false);
    expect(docker.containers.filter((c) => handedOut.has(c.name)).every((c) => c.removed)).toBe(true);
    await next.sandbox.dispose();
    await pool.close();
  });

  it('provisions cold when empty (a miss, with the full phases) and counts it', async () => {
    const { pool, docker } = setup({ size: 1 });
    await pool.ready();
    await pool.acquire();
    const miss = await pool.acquire();
    expect(miss.source).toBe('cold');
    expect(miss.result.attributes).toEqual({ source: 'cold', pool: 'py', runtime: 'runc', network: 'none' });
    expect(miss.result.phases?.map((p) => p.name)).toEqual(['acquire', 'image', 'create', 'start', 'ready']);
    expect(miss.sandbox.disposed).toBe(false);
    expect(pool.stats()).toMatchObject({ hits: 1, misses: 1 });
    expect(docker.live.map((c) => c.name)).toContain(miss.sandbox.id);
    await pool.close();
  });

  it('keeps a member when its taker is refused (admit throws), and records nothing for it', async () => {
    const { pool, results } = setup();
    await pool.ready();
    const before = results.length;
    const refused = pool.acquire({
      admit: () => {
        throw new Error('at most 1 live sandbox per tenant');
      },
    });
    await expect(refused).rejects.toThrow('at most 1 live sandbox per tenant');
    expect(results).toHaveLength(before);
    expect(pool.stats()).toMatchObject({ ready: 2, hits: 0, misses: 0, refilling: 0 });
    await pool.close();
  });

  it('drops a member whose container dies (engine events) and replaces it', async () => {
    const { pool, docker, logger } = setup();
    await pool.ready();
    const [victim] = pool.readyIds();
    docker.containers.find((c) => c.name === victim)?.exit(1);
    await settle();
    expect(pool.readyIds()).not.toContain(victim);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining(`member ${victim} dropped`));
    await pool.ready();
    expect(pool.stats()).toMatchObject({ ready: 2, dropped: 1 });
    // The dead member's container is removed, not left for reap().
    expect(docker.containers.find((c) => c.name === victim)?.removed).toBe(true);
    expect((await pool.acquire()).sandbox.id).not.toBe(victim);
    await pool.close();
  });

  it('recycles a member that waited half its remaining TTL, so a taker gets at least half', async () => {
    const { pool, docker } = setup({ size: 1 });
    await pool.ready();
    const [old] = pool.readyIds();
    await vi.advanceTimersByTimeAsync(30 * 60_000 + 1);
    await pool.ready();
    expect(pool.readyIds()).not.toContain(old);
    expect(docker.containers.find((c) => c.name === old)?.removed).toBe(true);
    expect(pool.stats().dropped).toBe(1);
    await pool.close();
  });

  it('still recycles a member put back after its taker was refused, when it would have been', async () => {
    const { pool, docker } = setup({ size: 1 });
    await pool.ready();
    const [old] = pool.readyIds();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const refused = pool.acquire({
      admit: () => {
        throw new Error('refused');
      },
    });
    await expect(refused).rejects.toThrow('refused');
    expect(pool.readyIds()).toEqual([old]);
    await vi.advanceTimersByTimeAsync(20 * 60_000 + 1);
    await pool.ready();
    expect(pool.readyIds()).not.toContain(old);
    expect(docker.containers.find((c) => c.name === old)?.removed).toBe(true);
    await pool.close();
  });

  it('refills at most refillConcurrency at a time', async () => {
    const { pool, docker } = setup({ size: 4, refillConcurrency: 2, watch: false });
    const gate = deferred();
    docker.hooks.create = () => gate.promise;
    await settle();
    expect(docker.calls.filter((c) => c.startsWith('create'))).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ refilling: 2, ready: 0 });
    gate.resolve();
    await pool.ready();
    expect(docker.calls.filter((c) => c.startsWith('create'))).toHaveLength(4);
    await pool.close();
  });

  it('refills only into places the caps grant, and again once one is freed', async () => {
    let places = 1;
    const reserve = () => {
      if (places === 0) return undefined;
      places--;
      return () => {
        places++;
      };
    };
    const { pool, docker } = setup({ reserve, retryDelayMs: 60_000 });
    await settle();
    expect(pool.stats()).toMatchObject({ ready: 1, refilling: 0 });
    expect(docker.live).toHaveLength(1);
    places = 1;
    pool.refill();
    await pool.ready();
    expect(docker.live).toHaveLength(2);
    // A hand-out gives its place to the taker; draining gives back the rest.
    await pool.acquire();
    await nextTurn();
    expect(places).toBe(0);
    await pool.close();
    expect(places).toBe(2);
  });

  it('backs off after failed refills, each recorded as a failed refill', async () => {
    const { pool, docker, results, logger } = setup({ size: 1, retryDelayMs: 1_000 });
    docker.hooks.create = () => {
      throw new Error('engine hiccup');
    };
    await settle();
    expect(pool.stats()).toMatchObject({ refillFailures: 1, ready: 0 });
    expect(results[0]).toMatchObject({ status: 'sla_breach', attributes: { source: 'refill' } });
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('retrying in 1000 ms'));
    // The first failed at 0 ms: the next try at 1,000 ms, then 2,000 ms later.
    await vi.advanceTimersByTimeAsync(999);
    expect(pool.stats().refillFailures).toBe(2);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(pool.stats().refillFailures).toBe(2);
    docker.hooks.create = undefined;
    await vi.advanceTimersByTimeAsync(1);
    await pool.ready();
    expect(pool.stats()).toMatchObject({ refillFailures: 2, ready: 1 });
    await pool.close();
  });

  it('drains on close: removes ready members, aborts refills, refuses hand-outs; nothing is left', async () => {
    const { pool, docker } = setup({ size: 3, refillConcurrency: 3 });
    const gate = deferred();
    let creates = 0;
    docker.hooks.create = () => (++creates === 3 ? gate.promise : undefined);
    await settle();
    expect(pool.stats()).toMatchObject({ ready: 2, refilling: 1 });
    const waiting = pool.ready().catch((error: unknown) => error);
    const closing = pool.close({ timeoutMs: 1_000 });
    // The engine answers the create in flight after the abort: the refill removes that container itself.
    gate.resolve();
    const report = await closing;
    expect(report).toEqual({ removed: 2, complete: true });
    expect(docker.live).toEqual([]);
    expect(await waiting).toMatchObject({ code: 'POOL_CLOSED' });
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    expect(await pool.close()).toBe(report);
  });

  it('closes at the end of an await using scope', async () => {
    const { docker, adapter, pool: other } = setup();
    await other.close();
    {
      await using pool = new SandboxPool({ adapter, spec: SPEC, size: 1, logger: { warn() {}, error() {} } });
      await pool.ready();
      expect(docker.live.length).toBeGreaterThan(0);
    }
    await settle();
    expect(docker.live).toEqual([]);
  });

  it('refuses a size or concurrency that is not a whole number >= 1', () => {
    const { adapter } = setup();
    expect(() => new SandboxPool({ adapter, spec: SPEC, size: 0 })).toThrow(/size must be a whole number/);
    expect(() => new SandboxPool({ adapter, spec: SPEC, size: 2, refillConcurrency: 1.5 })).toThrow(
      /refillConcurrency/,
    );
  });
});
