// Caller mistakes on the real engine through `sbx serve` (pull never: no pull is ever tried): a misspelt image and
// a command that exits at once are recorded as the caller's, shown apart in /v1/kpis, /metrics and `sbx report`,
// and the SLA stays met.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  missingPrerequisite,
  READY_CMD,
  runCli,
  sampleValue,
  startServe,
  TEST_IMAGE,
  tempDb,
} from './harness.js';

const missing = missingPrerequisite();
type Serve = Awaited<ReturnType<typeof startServe>>;

describe.skipIf(missing !== undefined && !process.env.CI)('caller failures on the real engine', () => {
  const db = tempDb();
  let server: Serve | undefined;
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    server = await startServe(db);
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it('a misspelt image and a command that exits at once do not breach; they are counted apart', async () => {
    const api = (server as Serve).api;
    const create = (fields: Record<string, unknown>) =>
      api('POST', '/v1/sandboxes', { type: 'docker', image: TEST_IMAGE, pull: 'never', ...fields });
    for (let i = 0; i < 3; i++) {
      const typo = await create({ image: 'sbx-test/busybx:latest' });
      expect(typo.status).toBe(422);
      expect((await typo.json()).error.code).toBe('IMAGE_NOT_FOUND');
    }
    for (let i = 0; i < 3; i++) {
      const exits = await create({ cmd: "sh -c 'exit 3'", ready: 'log:never-printed' });
      expect(exits.status).toBeGreaterThanOrEqual(400);
      expect((await exits.json()).error.code).toBe('READINESS_FAILED');
    }
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const made = await create({ cmd: READY_CMD, ready: 'log:ready' });
      expect(made.status).toBe(201);
      ids.push((await made.json()).id);
    }
    const kpis = await (await api('GET', '/v1/kpis')).json();
    expect(kpis.types.docker).toMatchObject({
      sla: 'met',
      last100: { n: 2, failures: 0, callerFailures: 6 },
      allTime: { n: 2, failures: 0, callerFailures: 6 },
    });
    const metrics = await (await api('GET', '/metrics')).text();
    expect(sampleValue(metrics, 'sbx_provisioning_caller_failures_total', { sandbox_type: 'docker' })).toBe(
      '6',
    );
    expect(sampleValue(metrics, 'sbx_provisioning_failures_total', { sandbox_type: 'docker' })).toBe('0');
    for (const id of ids) expect((await api('DELETE', `/v1/sandboxes/${id}`)).status).toBeLessThan(300);

    const report = await runCli(['report', '--db', db, '--type', 'docker']);
    expect(report.stdout).toMatch(/caller failures/);
    expect(report.stdout).toMatch(/docker\s+2\s.*\smet\s+0\s+0\s+6\s+0\s/);
    expect(report.stdout).not.toMatch(/breached/);
  });
});
