import { ChangeFeed, openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { KNOWN_PHASES } from '../kinds/registry.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { type Family, parseExposition as parse } from './testing/exposition.js';

const timestamp = new Date('2026-11-22T10:00:00Z');
const result = (
  sandboxType: 'docker' | 'webcontainer',
  durationMs: number,
  failed = false,
): ProvisionResult => {
  const limit = sandboxType === 'docker' ? 30_000 : 10_000;
  return {
    sandboxType,
    durationMs,
    timestamp,
    slaLimitMs: limit,
    status: failed || durationMs > limit ? 'sla_breach' : 'ok',
    ...(failed ? { error: { name: 'BootstrapError', message: 'x', code: 'START_FAILED' } } : {}),
  };
};

const sample = (f: Family | undefined, labels: Record<string, string>) =>
  f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));

describe('PrometheusMetrics', () => {
  it('exposes valid text whose counts equal the database, including rows written after the first scrape', async () => {
    const db = await openDatabase(':memory:');
    const kpis = new SandboxProvisioningKPI(db);
    const perf = new SandboxPerfRecordRepository(db);
    const metrics = new PrometheusMetrics({
      feed: new ChangeFeed(db),
      phases: KNOWN_PHASES,
      liveSandboxes: () => 2,
    });

    const empty = parse(await metrics.metrics());
    expect(sample(empty.get('sbx_provisioning_sla_breaches_total'), { sandbox_type: 'docker' })?.value).toBe(
      '0',
    );

    await kpis.recordMany([
      result('docker', 250),
      result('docker', 29_999),
      result('docker', 30_001),
      result('docker', 40, true),
      result('webcontainer', 9_000),
      result('webcontainer', 10_500),
    ]);
    for (const [i, ms] of [100, 6_000, 7_000].entries()) {
      await perf.insert('sandbox_perf_records', {
        sandboxId: `s${i}`,
        startTime: 1,
        durationMs: ms,
        outcome: 'success',
        alertFired: ms > 5_000,
      });
    }
    const text = await metrics.metrics();
    expect(text).not.toMatch(/sandbox_id|s0|s1/);
    const f = parse(text);

    const dockerOk = sample(f.get('sbx_provisioning_duration_seconds'), {
      sandbox_type: 'docker',
      status: 'ok',
    });
    expect(dockerOk?.count).toBe('2');
    expect(dockerOk?.buckets?.['30']).toBe('2'); // the SLA limit is a bucket bound
    expect(Number(dockerOk?.sum)).toBeCloseTo(30.249, 6);
    const dockerBreach = sample(f.get('sbx_provisioning_duration_seconds'), {
      sandbox_type: 'docker',
      status: 'sla_breach',
    });
    // Only the slow one: the failure never became ready, so its 40 ms are no latency.
    expect(dockerBreach?.count).toBe('1');
    expect(dockerBreach?.buckets?.['30']).toBe('0');
    const wcOk = sample(f.get('sbx_provisioning_duration_seconds'), {
      sandbox_type: 'webcontainer',
      status: 'ok',
    });
    expect(wcOk?.buckets?.['10']).toBe('1');

    // Counts equal the database's own.
    const docker = await kpis.getStats('docker', { window: 'all' });
    const wc = await kpis.getStats('webcontainer', { window: 'all' });
    expect(
      Number(sample(f.get('sbx_provisioning_sla_breaches_total'), { sandbox_type: 'docker' })?.value),
    ).toBe(docker.slaBreaches);
    expect(Number(sample(f.get('sbx_provisioning_failures_total'), { sandbox_type: 'docker' })?.value)).toBe(
      docker.failures,
    );
    expect(
      Number(sample(f.get('sbx_provisioning_sla_breaches_total'), { sandbox_type: 'webcontainer' })?.value),
    ).toBe(wc.slaBreaches);
    const report = await perf.getReport({ window: 'all' });
    expect(Number(f.get('sbx_overhead_alerts_total')?.metrics[0]?.value)).toBe(report.alertCount);
    expect(sample(f.get('sbx_sandbox_run_duration_seconds'), { outcome: 'success' })?.count).toBe(
      String(report.count),
    );
    expect(f.get('sbx_live_sandboxes')?.metrics[0]?.value).toBe('2');

    // A second scrape with nothing new counts nothing twice; new rows are added once.
    await kpis.record(result('docker', 100));
    const again = parse(await metrics.metrics());
    expect(
      sample(again.get('sbx_provisioning_duration_seconds'), { sandbox_type: 'docker', status: 'ok' })?.count,
    ).toBe('3');
    await db.destroy();
  });

  it('concurrent scrapes count each row once', async () => {
    const db = await openDatabase(':memory:');
    await new SandboxProvisioningKPI(db).recordMany(Array.from({ length: 50 }, () => result('docker', 10)));
    const metrics = new PrometheusMetrics({ feed: new ChangeFeed(db), phases: KNOWN_PHASES });
    const texts = await Promise.all([metrics.metrics(), metrics.metrics(), metrics.metrics()]);
    for (const text of texts) {
      expect(
        sample(parse(text).get('sbx_provisioning_duration_seconds'), { sandbox_type: 'docker', status: 'ok' })
          ?.count,
      ).toBe('50');
    }
    await db.destroy();
  });

  it('labels each provisioning with its source: what callers waited for (cold, pool) apart from refills', async () => {
    const db = await openDatabase(':memory:');
    const kpis = new SandboxProvisioningKPI(db);
    const withSource = (r: ProvisionResult, source: string): ProvisionResult => ({
      ...r,
      attributes: { source },
    });
    await kpis.recordMany([
      withSource(result('docker', 0.4), 'pool'),
      withSource(result('docker', 0.6), 'pool'),
      withSource(result('docker', 120), 'cold'),
      withSource(result('docker', 40, true), 'refill'),
    ]);
    const f = parse(
      await new PrometheusMetrics({ feed: new ChangeFeed(db), phases: KNOWN_PHASES }).metrics(),
    );
    const histogram = f.get('sbx_provisioning_duration_seconds');
    expect(sample(histogram, { sandbox_type: 'docker', status: 'ok', source: 'pool' })?.count).toBe('2');
    expect(sample(histogram, { sandbox_type: 'docker', status: 'ok', source: 'cold' })?.count).toBe('1');
    // A failed refill never became ready: counted by outcome, not in the latency histogram.
    expect(sample(histogram, { sandbox_type: 'docker', status: 'sla_breach', source: 'refill' })?.count).toBe(
      '0',
    );
    const total = f.get('sbx_provisionings_total');
    expect(sample(total, { sandbox_type: 'docker', outcome: 'failed', source: 'refill' })?.value).toBe('1');
    expect(sample(total, { sandbox_type: 'docker', outcome: 'ready', source: 'pool' })?.value).toBe('2');
    const failures = f.get('sbx_provisioning_failures_total');
    expect(sample(failures, { sandbox_type: 'docker', source: 'refill' })?.value).toBe('1');
    expect(sample(failures, { sandbox_type: 'docker', source: 'cold' })?.value).toBe('0');
    await db.destroy();
  });

  it('labels each provisioning with its engine runtime (empty without one), each runtime zeroed from its first row', async () => {
    const db = await openDatabase(':memory:');
    const kpis = new SandboxProvisioningKPI(db);
    const on = (runtime: string | undefined, durationMs: number, failed = false): ProvisionResult => ({
      ...result('docker', durationMs, failed),
      phases: [{ name: 'create', startMs: 0, durationMs: durationMs / 2 }],
      ...(runtime === undefined ? {} : { attributes: { runtime, network: 'none' } }),
    });
    const feed = new ChangeFeed(db);
    const metrics = new PrometheusMetrics({ feed, phases: KNOWN_PHASES });
    await kpis.recordMany([on('runc', 100), on('runsc', 400)]);
    await metrics.metrics();
    // Rows committed after a scrape carry their runtime too.
    await kpis.recordMany([on('runsc', 500), on('runsc', 50, true), on(undefined, 200)]);
    const f = parse(await metrics.metrics());
    const histogram = f.get('sbx_provisioning_duration_seconds');
    expect(sample(histogram, { status: 'ok', source: 'cold', runtime: 'runc' })?.count).toBe('1');
    expect(sample(histogram, { status: 'ok', source: 'cold', runtime: 'runsc' })?.count).toBe('2');
    expect(sample(histogram, { status: 'ok', source: 'cold', runtime: '' })?.count).toBe('1');
    const total = f.get('sbx_provisionings_total');
    expect(sample(total, { outcome: 'failed', source: 'cold', runtime: 'runsc' })?.value).toBe('1');
    expect(sample(total, { outcome: 'failed', source: 'pool', runtime: 'runsc' })?.value).toBe('0');
    const phases = f.get('sbx_provisioning_phase_duration_seconds');
    expect(sample(phases, { phase: 'create', runtime: 'runsc' })?.count).toBe('3');
    await db.destroy();
  });
});
