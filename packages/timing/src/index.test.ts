import { describe, expect, it } from 'vitest';
import * as timing from './index.js';

describe('@sbx/timing entry', () => {
  it('exports the module-level sandboxPerfMonitor, an instance of SandboxPerfMonitor whose report starts empty', () => {
    expect(timing.sandboxPerfMonitor).toBeInstanceOf(timing.SandboxPerfMonitor);
    expect(timing.sandboxPerfMonitor.getReport()).toEqual({
      count: 0,
      meanMs: undefined,
      maxMs: undefined,
      p95Ms: undefined,
      alertCount: 0,
    });
    expect(timing.sandboxPerfMonitor.activeCount).toBe(0);
  });

  it('keeps every value named in the seed', () => {
    for (const name of ['SandboxProvisioner', 'SLA_LIMITS', 'SandboxPerfMonitor', 'sandboxPerfMonitor']) {
      expect(timing, name).toHaveProperty(name);
    }
  });
});
