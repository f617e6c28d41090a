// `sbx bench tti` (#28) on the real engine with the `node` template: every mode, every source and both floors
// in one short run; the JSON has the shape the docs describe, every iteration succeeded and nothing is left.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, runCli } from './harness.js';

function missingTemplate(): string | undefined {
  const missing = missingPrerequisite();
  if (missing) return missing;
  try {
    execFileSync('docker', ['image', 'inspect', 'sbx-template/node:latest'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the node template is not built on this engine: run `sbx template build node`';
  }
}

const missing = missingTemplate();
const COUNT = 5;

describe.skipIf(missing !== undefined && !process.env.CI)('sbx bench tti on the real engine', () => {
  beforeAll(() => {
    // In CI a missing engine, template or build is a failure, never a skip.
    if (missing) throw new Error(missing);
  });

  it(`--count ${COUNT} --mode all: every series of every mode and source, every iteration ok, nothing left`, async () => {
    const started = performance.now();
    const run = await runCli(['bench', 'tti', '--count', String(COUNT), '--mode', 'all', '--json']);
    const seconds = (performance.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      count: COUNT,
      intervalMs: 200,
      modes: ['sequential', 'staggered', 'burst'],
      runtimes: ['runc'],
    });
    expect(out.machine.cores).toBeGreaterThan(0);
    expect(out.inSandbox).toEqual([expect.objectContaining({ runtime: 'runc' })]);
    expect(out.inSandbox[0].wallMs).toBeGreaterThan(0);
    const kinds = out.series.map((s: { mode: string; source: string }) => `${s.mode} ${s.source}`);
    expect(kinds).toEqual([
      ...['sequential', 'staggered', 'burst'].flatMap((m) =>
        ['dockerode', 'cold', 'pool', 'pool-small'].map((s) => `${m} ${s}`),
      ),
      'sequential docker-run',
    ]);
    for (const s of out.series) {
      expect(s.samples, `${s.mode} ${s.source}`).toHaveLength(COUNT);
      expect(
        s.samples.filter((x: { ok: boolean }) => !x.ok),
        `${s.mode} ${s.source}`,
      ).toEqual([]);
      expect(s.leaked).toBe(0);
      for (const x of s.samples) expect(x.ttiMs).toBeGreaterThan(0);
      if (['cold', 'pool', 'pool-small'].includes(s.source)) {
        expect(s.healthz.failed).toBe(0);
        expect(s.healthz.n).toBeGreaterThan(0);
      }
    }
    // The pool sized for the run hands out a member every time; the small one (1) runs dry in a burst.
    const burst = (source: string) =>
      out.series.find((s: { mode: string; source: string }) => s.mode === 'burst' && s.source === source);
    expect(burst('pool').samples.every((x: { hit: boolean }) => x.hit)).toBe(true);
    expect(burst('pool-small').samples.filter((x: { hit: boolean }) => !x.hit).length).toBeGreaterThanOrEqual(
      COUNT - 2,
    );
    for (const row of out.summary.rows) {
      expect(row.stats.successPct).toBe(100);
      expect(row.stats.leaderboard.medianMs).toBeGreaterThan(0);
    }
    expect(
      out.summary.targets.find((t: { name: string }) => t.name === 'containers left by the run').met,
    ).toBe(true);
    expect(
      execFileSync('docker', ['ps', '-aq', '--filter', 'label=sbx.bench.floor'], { encoding: 'utf8' }).trim(),
    ).toBe('');
    console.log(`sbx bench tti --count ${COUNT} --mode all: ${seconds.toFixed(1)} s`);
  }, 400_000);
});
