import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { createApp } from './create-app.js';
import { SharedRead } from './shared-read.js';
import { securedApp, TOKEN_A } from './testing/secured-app.js';

function counted(delayMs = 5) {
  let builds = 0;
  let writes = 0;
  const read = new SharedRead(
    async () => {
      const seen = writes; // what the build sees: the writes before it started
      builds++;
      await new Promise((r) => setTimeout(r, delayMs));
      return seen;
    },
    { minGapMs: 50 },
  );
  return { read, builds: () => builds, write: () => writes++ };
}

describe('SharedRead', () => {
  it('builds once for any number of concurrent callers', async () => {
    const { read, builds } = counted();
    const results = await Promise.all(Array.from({ length: 1_000 }, () => read.get()));
    expect(builds()).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('never answers with a build older than the call, and builds at most once per gap', async () => {
    const { read, builds, write } = counted(20);
    const started = performance.now();
    const first = read.get();
    await new Promise((r) => setTimeout(r, 5)); // the first build is running
    write();
    const later = Array.from({ length: 100 }, () => read.get());
    expect(await first).toBe(0);
    expect(new Set(await Promise.all(later))).toEqual(new Set([1]));
    expect(builds()).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50); // the second waited out the gap
  });

  it('answers at once from the last build while its version holds, and builds again once it changes', async () => {
    let version = 'v1';
    let builds = 0;
    const read = new SharedRead(async () => ++builds, { minGapMs: 10_000, version: () => version });
    expect(await read.get()).toBe(1);
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(await read.get()).toBe(1);
    expect(performance.now() - started).toBeLessThan(1_000); // no gap waited
    version = 'v2';
    const next = read.get();
    expect(await Promise.race([next, new Promise((r) => setTimeout(() => r('waiting'), 50))])).toBe(
      'waiting',
    );
  });

  it('a failed build fails its callers only; the next call builds again', async () => {
    let fail = true;
    const read = new SharedRead(
      async () => {
        if (fail) throw new Error('locked');
        return 'ok';
      },
      { minGapMs: 0 },
    );
    await expect(read.get()).rejects.toThrow('locked');
    fail = false;
    await expect(read.get()).resolves.toBe('ok');
  });
});

describe('the heavy read routes', () => {
  it('share one build among concurrent scrapes and refuse those past the cap with 429', async () => {
    let builds = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const ctx = await securedApp(defaultPolicy(2));
    const metrics = {
      metrics: async () => {
        builds++;
        await gate;
        return 'sbx_up 1\n';
      },
      contentType: 'text/plain',
    };
    const app = createApp(
      { ...ctx.deps, metrics: metrics as never },
      { ...ctx.options, heavyReads: { maxInFlight: 3 } },
    );
    const scrape = () =>
      app.request('http://127.0.0.1/metrics', { headers: { authorization: `Bearer ${TOKEN_A}` } });
    const waiting = [scrape(), scrape(), scrape()];
    const refused = await scrape();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    release();
    for (const res of await Promise.all(waiting)) expect(await res.text()).toBe('sbx_up 1\n');
    expect(builds).toBe(1);
    await ctx.db.destroy();
  });
});
