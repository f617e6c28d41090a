import { openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDb } from './harness.js';

// `sbx report` split by engine runtime, on a real SQLite file through the built CLI (no engine needed).

const docker = (i: number, durationMs: number, hostId: string, runtime?: string): ProvisionResult => ({
  sandboxType: 'docker',
  durationMs,
  status: 'ok',
  timestamp: new Date(Date.now() - 60_000 + i * 100),
  attributes: runtime === undefined ? { hostId } : { hostId, runtime },
});

describe('sbx report by engine runtime', () => {
  const db = tempDb();
  beforeAll(async () => {
    const kdb = await openDatabase(db);
    await new SandboxProvisioningKPI(kdb).recordMany([
      ...Array.from({ length: 6 }, (_, i) => docker(i, 250 + i, 'host-a', 'runc')),
      ...Array.from({ length: 3 }, (_, i) => docker(10 + i, 500 + i, 'host-a', 'runsc')),
      ...Array.from({ length: 2 }, (_, i) => docker(20 + i, 520 + i, 'host-b', 'runsc')),
      docker(30, 4_000, 'host-b'),
    ]);
    await kdb.destroy();
  });

  it('prints a table per type with one row per runtime, and byRuntime in --json', async () => {
    const text = await runCli(['report', '--db', db]);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('docker by engine runtime (newest 100 each)');
    expect(text.stdout).toMatch(/runc\s+6\s+252\.\d ms\s+255\.\d ms\s+met\s+0\s+6/);
    expect(text.stdout).toMatch(/runsc\s+5\s+502\.\d ms\s+521\.\d ms\s+met\s+0\s+5/);
    expect(text.stdout).not.toContain('webcontainer by engine runtime');

    const json = JSON.parse((await runCli(['report', '--db', db, '--json'])).stdout);
    expect(json.runtime).toBeNull();
    expect(json.kpis.types.docker.last100.n).toBe(12);
    expect(Object.keys(json.kpis.types.docker.byRuntime)).toEqual(['runc', 'runsc']);
    expect(json.kpis.types.docker.byRuntime.runsc).toMatchObject({ provisionings: 5, p95Last100: 521 });
  });

  it('narrows the report to one runtime with --runtime, combined with --host-id', async () => {
    const one = await runCli(['report', '--db', db, '--runtime', 'runsc']);
    expect(one.stdout).toContain('(newest 100 per type, whole fleet, runtime runsc)');
    expect(one.stdout).toMatch(/docker\s+5\s/);
    const both = JSON.parse(
      (await runCli(['report', '--db', db, '--runtime', 'runsc', '--host-id', 'host-b', '--json'])).stdout,
    );
    expect(both).toMatchObject({ host: 'host-b', runtime: 'runsc' });
    expect(both.kpis.types.docker).toMatchObject({ last100: { n: 2, maxMs: 521 }, allTime: { n: 2 } });
  });

  it('refuses a malformed runtime, saying what a runtime name may be', async () => {
    const bad = await runCli(['report', '--db', db, '--runtime', 'run sc']);
    expect(bad.code).toBe(1); // as a bad --type
    expect(bad.stderr).toContain("--runtime must be 1-64 letters, digits, '.', '_' or '-'");
  });
});
