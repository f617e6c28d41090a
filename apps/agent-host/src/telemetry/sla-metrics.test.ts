import { ChangeFeed, openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import { type ProvisionResult, quantile, type SandboxType } from '@sbx/timing';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../test-support/seeded-random.js';
import { KNOWN_PHASES } from '../kinds/registry.js';
import { PROVISIONING_BUCKETS_S } from './buckets.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { histogramQuantile, parseExposition, sumBuckets } from './testing/exposition.js';

const LIMIT = { docker: 30_000, webcontainer: 10_000 } as const;
let second = 0;
function row(type: SandboxType, durationMs: number, code?: string, phases?: ProvisionResult['phases']) {
  return {
    sandboxType: type,
    durationMs,
    status: code || durationMs > LIMIT[type] ? 'sla_breach' : 'ok',
    timestamp: new Date(Date.parse('2026-11-22T10:00:00Z') + ++second * 1_000),
    slaLimitMs: LIMIT[type],
    ...(code ? { error: { name: 'BootstrapError', message: code, code } } : {}),
    ...(phases ? { phases } : {}),
  } satisfies ProvisionResult;
}

const open: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});
async function setup() {
  const db = await openDatabase(':memory:');
  open.push(db);
  const kpis = new SandboxProvisioningKPI(db);
  const metrics = new PrometheusMetrics({ feed: new ChangeFeed(db), phases: KNOWN_PHASES, kpis });
  const scrape = async () => parseExposition(await metrics.metrics());
  return { kpis, scrape };
}
const value = (f: ReturnType<typeof parseExposition>, name: string, labels: Record<string, string>) =>
  f.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v))?.value;

describe('the provisioning buckets', () => {
  it('are dense enough for histogram_quantile to be within 10% anywhere from 1 ms to 60 s, and hold each SLA limit', () => {
    const inRange = PROVISIONING_BUCKETS_S.filter((b) => b >= 0.0009 && b <= 70);
    expect(inRange[0]).toBeLessThanOrEqual(0.001);
    expect(inRange[inRange.length - 1]).toBeGreaterThanOrEqual(60);
    for (let i = 1; i < inRange.length; i++) {
      expect((inRange[i] as number) / (inRange[i - 1] as number)).toBeLessThan(1.1);
    }
    expect(PROVISIONING_BUCKETS_S).toContain(10);
    expect(PROVISIONING_BUCKETS_S).toContain(30);
    expect(PROVISIONING_BUCKETS_S[0]).toBe(0.0001);
  });
});

describe('/metrics and the exact figures', () => {
  it('histogram_quantile(0.95) of the scrape is within 10% of the exact P95, at every scale from 1 ms to 60 s', async () => {
    const random = mulberry32(8);
    for (const scaleMs of [1, 3, 10, 50, 300, 1_000, 5_000, 20_000, 60_000]) {
      const { kpis, scrape } = await setup();
      // Log-normal-ish around the scale, clipped to 1 ms .. 60 s.
      const durations = Array.from({ length: 300 }, () =>
        Math.min(60_000, Math.max(1, scaleMs * Math.exp((random() - 0.5) * 1.2))),
      );
      await kpis.recordMany(durations.map((d) => row('docker', d)));
      const f = await scrape();
      const estimate = histogramQuantile(
        0.95,
        sumBuckets(f.get('sbx_provisioning_duration_seconds'), { sandbox_type: 'docker' }),
      );
      const exact = (quantile(durations, 0.95) as number) / 1000;
      expect(Math.abs(estimate / exact - 1), `scale ${scaleMs} ms`).toBeLessThanOrEqual(0.1);
    }
  });

  it('exports the verdict: 5 failures of 5 give P95 +Inf and sla_met 0; no data exports no verdict', async () => {
    const { kpis, scrape } = await setup();
    await kpis.recordMany(Array.from({ length: 5 }, () => row('docker', 4, 'START_FAILED')));
    const f = await scrape();
    expect(value(f, 'sbx_provisioning_p95_last100_seconds', { sandbox_type: 'docker' })).toBe('+Inf');
    expect(value(f, 'sbx_sla_met', { sandbox_type: 'docker' })).toBe('0');
    expect(value(f, 'sbx_sla_limit_seconds', { sandbox_type: 'docker' })).toBe('30');
    expect(value(f, 'sbx_sla_limit_seconds', { sandbox_type: 'webcontainer' })).toBe('10');
    expect(value(f, 'sbx_sla_met', { sandbox_type: 'webcontainer' })).toBeUndefined();
    expect(
      value(f, 'sbx_provisioning_p95_last100_seconds', { sandbox_type: 'webcontainer' }),
    ).toBeUndefined();
    // The failures are counted, not observed as 4 ms latencies.
    expect(value(f, 'sbx_provisionings_total', { sandbox_type: 'docker', outcome: 'failed' })).toBe('5');
    expect(sumBuckets(f.get('sbx_provisioning_duration_seconds'), { sandbox_type: 'docker' })['+Inf']).toBe(
      0,
    );

    await kpis.recordMany(Array.from({ length: 95 }, () => row('docker', 1_250)));
    const g = await scrape();
    expect(value(g, 'sbx_sla_met', { sandbox_type: 'docker' })).toBe('1');
    expect(value(g, 'sbx_provisioning_p95_last100_seconds', { sandbox_type: 'docker' })).toBe('1.25');
  });

  it('reads each verdict once per scrape, though two gauges show it', async () => {
    const db = await openDatabase(':memory:');
    open.push(db);
    const kpis = new SandboxProvisioningKPI(db);
    const reads: SandboxType[] = [];
    const source = {
      getSlaVerdict(t: SandboxType) {
        reads.push(t);
        return kpis.getSlaVerdict(t);
      },
    };
    const metrics = new PrometheusMetrics({ feed: new ChangeFeed(db), phases: KNOWN_PHASES, kpis: source });
    await metrics.metrics();
    expect(reads.sort()).toEqual(['docker', 'webcontainer']);
    await metrics.metrics();
    expect(reads).toHaveLength(4);
  });

  it('counts cancelled provisionings apart: no breach, no failure, no latency, no verdict', async () => {
    const { kpis, scrape } = await setup();
    await kpis.recordMany([
      row('webcontainer', 900, 'CANCELLED', [{ name: 'boot', startMs: 0, durationMs: 899 }]),
      row('webcontainer', 95, undefined, [
        { name: 'boot', startMs: 0, durationMs: 40 },
        { name: 'warp', startMs: 40, durationMs: 55 },
      ]),
    ]);
    const f = await scrape();
    expect(value(f, 'sbx_provisioning_cancelled_total', { sandbox_type: 'webcontainer' })).toBe('1');
    expect(value(f, 'sbx_provisionings_total', { sandbox_type: 'webcontainer', outcome: 'cancelled' })).toBe(
      '1',
    );
    expect(value(f, 'sbx_provisionings_total', { sandbox_type: 'webcontainer', outcome: 'ready' })).toBe('1');
    expect(value(f, 'sbx_provisioning_sla_breaches_total', { sandbox_type: 'webcontainer' })).toBe('0');
    expect(value(f, 'sbx_provisioning_failures_total', { sandbox_type: 'webcontainer' })).toBe('0');
    expect(value(f, 'sbx_sla_met', { sandbox_type: 'webcontainer' })).toBe('1');
    const phases = f.get('sbx_provisioning_phase_duration_seconds');
    const boot = phases?.metrics.find(
      (m) => m.labels.phase === 'boot' && m.labels.sandbox_type === 'webcontainer',
    );
    expect(boot).toMatchObject({ count: '1', sum: '0.04' });
    // An unknown phase name is no new label value.
    expect(phases?.metrics.find((m) => m.labels.phase === 'other')?.count).toBe('1');
    expect(phases?.metrics.some((m) => m.labels.phase === 'warp')).toBe(false);
  });
});
