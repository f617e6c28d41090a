import type { ProvisionResult } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { hostIdRecorder } from './host-id-recorder.js';

describe('hostIdRecorder', () => {
  it('adds the host to the attributes the provisioner passed, keeping the tenant', async () => {
    const seen: ProvisionResult[] = [];
    const recorder = hostIdRecorder({ record: (r) => void seen.push(r) }, 'host-a');
    const timestamp = new Date();
    await recorder.record({
      sandboxType: 'docker',
      durationMs: 1,
      status: 'ok',
      timestamp,
      attributes: { tenant: 't' },
    });
    await recorder.record({ sandboxType: 'docker', durationMs: 2, status: 'ok', timestamp });
    expect(seen.map((r) => r.attributes)).toEqual([{ tenant: 't', hostId: 'host-a' }, { hostId: 'host-a' }]);
  });
});
