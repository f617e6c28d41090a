import { toIngestPayload } from '@sbx/bootstrap/webcontainer';
import type { ProvisionSuccess } from '@sbx/timing/browser';
import { describe, expect, it } from 'vitest';
import { MAX_ERROR_MESSAGE_CHARS } from './ingest-payload.js';

describe('toIngestPayload', () => {
  it('turns a result into JSON-ready data: ISO timestamp, phases copied, no value', () => {
    const phases = [{ name: 'boot', startMs: 0.5, durationMs: 40 }];
    // What provision() resolves to may be passed as is: its value stays in the page.
    const success: ProvisionSuccess<{ not: string }> = {
      sandboxType: 'webcontainer',
      durationMs: 41,
      status: 'ok',
      timestamp: new Date('2026-11-22T10:00:00.000Z'),
      slaLimitMs: 10_000,
      phases,
      value: { not: 'sent' },
    };
    const payload = toIngestPayload(success);
    expect(payload).toEqual({
      sandboxType: 'webcontainer',
      durationMs: 41,
      status: 'ok',
      timestamp: '2026-11-22T10:00:00.000Z',
      phases,
    });
    expect(payload).not.toHaveProperty('slaLimitMs');
    expect(payload.phases).not.toBe(phases);
  });

  it('keeps the error code and bounds the error text the host accepts', () => {
    const payload = toIngestPayload({
      sandboxType: 'webcontainer',
      durationMs: 8_000,
      status: 'sla_breach',
      timestamp: new Date(0),
      error: { name: 'BootstrapError', message: 'x'.repeat(5_000), code: 'INSTALL_FAILED' },
    });
    expect(payload.phases).toEqual([]);
    expect(payload.error?.code).toBe('INSTALL_FAILED');
    expect(payload.error?.message).toHaveLength(MAX_ERROR_MESSAGE_CHARS);
  });
});
