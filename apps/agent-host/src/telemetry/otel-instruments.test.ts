import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { OtelInstruments } from './otel-instruments.js';

const timestamp = new Date('2026-11-22T10:00:00Z');

describe('OtelInstruments', () => {
  afterEach(() => metrics.disable());

  it('is a no-op before an SDK is registered, and records histograms in seconds once one is', async () => {
    const instruments = new OtelInstruments();
    // Before registration: nothing to see and nothing thrown.
    instruments.provision({ sandboxType: 'docker', durationMs: 999, status: 'ok', timestamp });

    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);

    instruments.provision({ sandboxType: 'docker', durationMs: 1_500, status: 'ok', timestamp });
    instruments.provision({ sandboxType: 'docker', durationMs: 31_000, status: 'sla_breach', timestamp });
    instruments.provision({ sandboxType: 'webcontainer', durationMs: 500, status: 'ok', timestamp });
    instruments.run({
      sandboxId: 'sb-1',
      startTime: 0,
      durationMs: 6_000,
      outcome: 'success',
      alertFired: true,
    });

    await reader.forceFlush();
    const scope = exporter.getMetrics()[0]?.scopeMetrics.find((s) => s.scope.name === '@sbx/agent-host');
    const byName = new Map(scope?.metrics.map((m) => [m.descriptor.name, m]));

    const provisioning = byName.get('sbx.provisioning.duration');
    expect(provisioning?.descriptor.unit).toBe('s');
    const points = provisioning?.dataPoints ?? [];
    const docker = points.filter((p) => p.attributes['sbx.sandbox.type'] === 'docker');
    expect(docker.map((p) => (p.value as { count: number; sum: number }).sum).sort((a, b) => a - b)).toEqual([
      1.5, 31,
    ]);
    const okDocker = docker.find((p) => p.attributes['sbx.status'] === 'ok');
    expect(
      (okDocker?.value as { buckets: { boundaries: number[] } } | undefined)?.buckets.boundaries,
    ).toContain(30);
    expect(points.reduce((n, p) => n + (p.value as { count: number }).count, 0)).toBe(3);

    const run = byName.get('sbx.sandbox.run.duration');
    expect(run?.descriptor.unit).toBe('s');
    expect((run?.dataPoints[0]?.value as { sum: number } | undefined)?.sum).toBe(6);
    expect(run?.dataPoints[0]?.attributes).toEqual({ 'sbx.outcome': 'success', 'sbx.alert_fired': true });
    await provider.shutdown();
  });

  it("labels a caller's failure caller_failed, apart from the platform's failed", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    const instruments = new OtelInstruments();
    const failed = (code: string, cause: 'caller' | 'platform') =>
      instruments.provision({
        sandboxType: 'docker',
        durationMs: 40,
        status: 'sla_breach',
        timestamp,
        error: { name: 'BootstrapError', message: 'x', code, cause },
      });
    failed('IMAGE_NOT_FOUND', 'caller');
    failed('ENGINE_UNREACHABLE', 'platform');
    await reader.forceFlush();
    const scope = exporter.getMetrics()[0]?.scopeMetrics.find((s) => s.scope.name === '@sbx/agent-host');
    const points = scope?.metrics.find((m) => m.descriptor.name === 'sbx.provisioning.duration')?.dataPoints;
    expect(points?.map((p) => p.attributes['sbx.outcome']).sort()).toEqual(['caller_failed', 'failed']);
    await provider.shutdown();
  });
});
