import { openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import { quantile } from '@sbx/timing';
import { beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, provisionArgs, runCli, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingPrerequisite();

describe.skipIf(missing !== undefined && !process.env.CI)('sbx CLI against the real Docker engine', () => {
  beforeAll(() => {
    // In CI a missing engine, image or build is a failure, never a skip.
    if (missing) throw new Error(missing);
  });

  it('records a batch with its phases, runs the job in each sandbox, and report --json agrees', async () => {
    const db = tempDb();
    const run = await runCli(provisionArgs(db, 4, ['--concurrency', '2', '--exec', 'echo hi', '--json']));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { rows, summary } = JSON.parse(run.stdout);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row).toMatchObject({
        failed: false,
        status: 'ok',
        job: { exitCode: 0, stdout: 'hi\n', outcome: 'success' },
      });
      // `agent`: the in-sandbox agent's hello (the CLI's adapter injects it into every sandbox).
      expect(row.phases.map((p: { name: string }) => p.name)).toEqual([
        'image',
        'create',
        'start',
        'ready',
        'agent',
      ]);
    }
    expect(summary).toMatchObject({ n: 4, failures: 0, slaBreaches: 0 });

    const kdb = await openDatabase(db);
    const kpis = new SandboxProvisioningKPI(kdb);
    const stored = await kpis.listRecent({ type: 'docker' });
    expect(stored).toHaveLength(4);
    expect(stored.every((r) => r.phases.length === 5)).toBe(true);
    expect((await new SandboxPerfRecordRepository(kdb).getReport()).count).toBe(4);
    await kdb.destroy();

    const report = await runCli(['report', '--json', '--db', db]);
    expect(report.code).toBe(0);
    const parsed = JSON.parse(report.stdout);
    const durations = rows.map((r: { durationMs: number }) => r.durationMs);
    const docker = parsed.kpis.types.docker;
    expect(docker.last100).toMatchObject({ n: 4, failures: 0, slaBreaches: 0 });
    expect(docker.p95Last100).toBeCloseTo(quantile(durations, 0.95) as number, 6);
    expect(docker.last100.p50Ms).toBeCloseTo(quantile(durations, 0.5) as number, 6);
    expect(docker.sla).toBe('met');
    expect(parsed.kpis.types.webcontainer.last100.n).toBe(0);
    expect(parsed.perf).toMatchObject({ count: 4, alertCount: 0 });

    const text = await runCli(['report', '--db', db]);
    expect(text.stdout).toMatch(/docker\s+4\s/);
  });

  it("says clearly when the image is missing, and records the failure as the caller's", async () => {
    const db = tempDb();
    const run = await runCli([
      'provision',
      'docker',
      '--db',
      db,
      '--image',
      'sbx-test/does-not-exist:1',
      '--pull',
      'never',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAILED.*IMAGE_NOT_FOUND/);
    const kdb = await openDatabase(db);
    // A missing image is the caller's mistake: recorded, shown apart, and no evidence against the SLA.
    expect(await new SandboxProvisioningKPI(kdb).getStats('docker')).toMatchObject({
      n: 0,
      failures: 0,
      callerFailures: 1,
    });
    await kdb.destroy();
  });

  it('refuses bad flags with a message that says what was wrong', async () => {
    const db = tempDb();
    const noImage = await runCli(['provision', 'docker', '--db', db]);
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toBe(
      'sbx: give --image or --template for docker sandboxes, e.g. --image sbx-test/busybox or --template node (see sbx provision docker --help)\n',
    );
    const badCount = await runCli(['provision', 'docker', '--db', db, '--image', TEST_IMAGE, '--count', '0']);
    expect(badCount.code).not.toBe(0);
    expect(badCount.stderr).toBe(
      'sbx: --count must be a whole number from 1 to 100000, got 0 (see sbx provision docker --help)\n',
    );
    const badProbe = await runCli([
      'provision',
      'docker',
      '--db',
      db,
      '--image',
      TEST_IMAGE,
      '--ready',
      'bogus:1',
    ]);
    expect(badProbe.code).toBe(2);
    expect(badProbe.stderr).toMatch(
      /^sbx: --ready: [^\n]*probe[^\n]* \(see sbx provision docker --help\)\n$/i,
    );
  });
});
