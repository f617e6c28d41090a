import type { ProvisionResult } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import type { SandboxHost } from '../core/sandbox-host.js';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { AgentHostError } from '../errors.js';
import { runProvisionBatch } from './provision-batch.js';
import { SandboxService } from './sandbox-service.js';

const DOCKER = { type: 'docker', spec: {} } as const;
const serviceOver = (host: SandboxHost) => new SandboxService({ host, policy: defaultPolicy(2) });

const measured = (durationMs: number, error?: ProvisionResult['error']): ProvisionResult =>
  ({
    sandboxType: 'docker',
    durationMs,
    status: durationMs > 30_000 ? 'sla_breach' : 'ok',
    slaLimitMs: 30_000,
    phases: [],
    ...(error ? { error } : {}),
  }) as unknown as ProvisionResult;

/** A host whose `provision` answers the `plan` in turn: a duration, a measured failure, or a refusal. */
function hostOf(plan: Array<number | 'fails' | AgentHostError>): SandboxHost {
  let call = 0;
  return {
    provision: async (
      _type: string,
      _spec: unknown,
      options: { onResult?: (r: ProvisionResult) => void },
    ) => {
      const step = plan[call++];
      if (step instanceof AgentHostError) throw step;
      if (step === 'fails') {
        options.onResult?.(measured(1_200, { name: 'BootstrapError', code: 'START_FAILED', message: 'no' }));
        throw new Error('start failed');
      }
      const result = measured(step as number);
      options.onResult?.(result);
      return { sandbox: { id: `sbx-${call}` }, result };
    },
    dispose: async () => {},
  } as unknown as SandboxHost;
}

const refusals = [
  new AgentHostError('TOO_MANY_SANDBOXES', 'at most 20 live sandboxes per tenant: delete one first'),
  new AgentHostError('HOST_CLOSING', 'the host is shutting down'),
  new AgentHostError('STORE_UNAVAILABLE', 'the database is down and the spool is full'),
];

describe('a provisioning batch', () => {
  it.each(refusals)(
    'counts a refusal before measuring ($code) apart: no 0 ms breach, not in the quantiles',
    async (refusal) => {
      const batch = await runProvisionBatch(serviceOver(hostOf([900, refusal, 1_100, refusal])), DOCKER, {
        count: 4,
        concurrency: 1,
      });
      expect(batch.summary).toEqual({
        n: 2,
        p50Ms: 900,
        p95Ms: 1_100,
        p99Ms: 1_100,
        slaBreaches: 0,
        failures: 0,
        jobFailures: 0,
        refused: 2,
      });
      expect(batch.rows.map((r) => r.status)).toEqual(['ok', 'refused', 'ok', 'refused']);
      expect(batch.rows[1]).toMatchObject({ failed: false, error: { code: refusal.code } });
    },
  );

  it('keeps a measured failure a failure, with its measured duration', async () => {
    const batch = await runProvisionBatch(serviceOver(hostOf(['fails', 800])), DOCKER, {
      count: 2,
      concurrency: 1,
    });
    expect(batch.summary).toMatchObject({ n: 2, failures: 1, refused: 0, slaBreaches: 0, p50Ms: 800 });
    expect(batch.rows[0]).toMatchObject({ status: 'ok', failed: true, durationMs: 1_200 });
  });
});
