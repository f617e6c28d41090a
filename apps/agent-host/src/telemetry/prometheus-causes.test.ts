import { ChangeFeed, openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import type { FailureCause, ProvisionResult } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { KNOWN_PHASES } from '../kinds/registry.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { type Family, parseExposition as parse } from './testing/exposition.js';

const timestamp = new Date('2026-12-07T10:00:00Z');
const failed = (code: string, cause: FailureCause): ProvisionResult => ({
  sandboxType: 'docker',
  durationMs: 40,
  timestamp,
  status: 'sla_breach',
  error: { name: 'BootstrapError', message: 'x', code, cause },
});
const ready: ProvisionResult = { sandboxType: 'docker', durationMs: 200, timestamp, status: 'ok' };
const value = (f: Family | undefined, labels: Record<string, string>) =>
  f?.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v))
    .reduce((sum, m) => sum + Number(m.value), 0);

describe("PrometheusMetrics and the caller's failures", () => {
  it('counts them in their own counter and outcome, never as failures or breaches', async () => {
    const db = await openDatabase(':memory:');
    try {
      const metrics = new PrometheusMetrics({ feed: new ChangeFeed(db), phases: KNOWN_PHASES });
      const empty = parse(await metrics.metrics());
      expect(value(empty.get('sbx_provisioning_caller_failures_total'), { sandbox_type: 'docker' })).toBe(0);
      await new SandboxProvisioningKPI(db).recordMany([
        ready,
        failed('IMAGE_NOT_FOUND', 'caller'),
        failed('READINESS_FAILED', 'caller'),
        failed('ENGINE_UNREACHABLE', 'platform'),
      ]);
      const f = parse(await metrics.metrics());
      const docker = { sandbox_type: 'docker' };
      expect(value(f.get('sbx_provisioning_caller_failures_total'), docker)).toBe(2);
      expect(value(f.get('sbx_provisioning_failures_total'), docker)).toBe(1);
      expect(value(f.get('sbx_provisioning_sla_breaches_total'), docker)).toBe(1);
      const total = f.get('sbx_provisionings_total');
      expect(value(total, { ...docker, outcome: 'caller_failed' })).toBe(2);
      expect(value(total, { ...docker, outcome: 'failed' })).toBe(1);
      expect(value(total, { ...docker, outcome: 'ready' })).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});
