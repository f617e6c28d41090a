import { randomBytes } from 'node:crypto';
import type { ProvisionResult } from '@sbx/timing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPostgres } from '../../../test-support/missing-service.js';
import { resolveConfig } from '../src/compose/config.js';
import { type AgentHost, openAgentHost } from '../src/compose/open-agent-host.js';
import { parseExposition } from '../src/telemetry/testing/exposition.js';
import { runCli } from './harness.js';

// Two agent hosts on one PostgreSQL database, as the README's "run a fleet" sets them up, and `sbx report` for the
// fleet and for each host. Needs the server at SBX_TEST_PG_URL (`bash .ci/prereqs/postgres.sh`); CI fails without it.

const SERVER = process.env.SBX_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/sbx_test';
const silent = { warn: () => {}, error: () => {} };

async function admin(text: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query(text);
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(missingPostgres(SERVER, error), { cause: error });
    console.warn(`[sbx] skipping the fleet tests: ${missingPostgres(SERVER, error)}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const name = `sbx_fleet_${randomBytes(5).toString('hex')}`;
const reachable = await admin('select 1');
const url = (() => {
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return u.toString();
})();

function webcontainer(i: number, durationMs: number): ProvisionResult {
  return {
    sandboxType: 'webcontainer',
    durationMs,
    status: 'ok',
    timestamp: new Date(Date.now() - 60_000 + i * 100),
  };
}

describe.skipIf(!reachable)('two agent hosts on one PostgreSQL', () => {
  const hosts: AgentHost[] = [];
  beforeAll(async () => {
    await admin(`create database ${name}`);
    for (const hostId of ['host-a', 'host-b']) {
      hosts.push(await openAgentHost(resolveConfig({ db: url, hostId }, {}), silent));
    }
  });
  afterAll(async () => {
    for (const host of hosts) await host.close();
    await admin(`drop database if exists ${name} with (force)`);
  });

  it('records each host’s provisionings under its id; sbx report shows the fleet, --host-id one host', async () => {
    const [a, b] = hosts as [AgentHost, AgentHost];
    // What each host measured (the WebContainer page posts these to its own host).
    for (let i = 0; i < 6; i++) await a.host.recordExternal(webcontainer(i, 100 + i));
    for (let i = 0; i < 4; i++) await b.host.recordExternal(webcontainer(10 + i, 800 + i));

    const fleet = await runCli(['report', '--db', url, '--json']);
    expect(fleet.stderr).toBe('');
    const all = JSON.parse(fleet.stdout);
    expect(all.host).toBe('fleet');
    const wc = all.kpis.types.webcontainer;
    expect(wc.last100.n).toBe(10);
    expect(wc.allTime).toMatchObject({ n: 10, maxMs: 803 });
    // The fleet's P95 is nearest rank over all ten rows, not an average of the hosts' P95s.
    expect(wc.p95Last100).toBe(803);

    const one = JSON.parse((await runCli(['report', '--db', url, '--host-id', 'host-a', '--json'])).stdout);
    expect(one.host).toBe('host-a');
    expect(one.kpis.types.webcontainer.allTime).toMatchObject({ n: 6, maxMs: 105 });
    expect(one.kpis.types.webcontainer.last24h).toMatchObject({ n: 6 });
    expect(one.kpis.types.webcontainer.p95Last100).toBe(105);

    const text = await runCli(['report', '--db', url, '--host-id', 'host-b']);
    expect(text.stdout).toContain('host host-b');
    expect(text.stdout).toMatch(/webcontainer\s+4\s/);
    expect(await a.kpis.listHosts()).toEqual([
      { hostId: 'host-a', provisionings: 6 },
      { hostId: 'host-b', provisionings: 4 },
    ]);
  });

  it('labels each host’s /metrics series with the engine runtime its rows were recorded with', async () => {
    const [a, b] = hosts as [AgentHost, AgentHost];
    const docker = (hostId: string, runtime: string, durationMs: number): ProvisionResult => ({
      sandboxType: 'docker',
      durationMs,
      status: 'ok',
      timestamp: new Date(),
      attributes: { hostId, runtime, network: 'none' },
    });
    await a.kpis.recordMany([docker('host-a', 'runsc', 480), docker('host-a', 'runc', 250)]);
    await b.kpis.record(docker('host-b', 'runsc', 510));
    const count = (text: string, runtime: string) =>
      parseExposition(text)
        .get('sbx_provisionings_total')
        ?.metrics.find(
          (m) =>
            m.labels.sandbox_type === 'docker' &&
            m.labels.outcome === 'ready' &&
            m.labels.source === 'cold' &&
            m.labels.runtime === runtime,
        )?.value;
    // The feed hands out a row once every older transaction on the server ended (another test's may be open).
    await expect
      .poll(async () => {
        const text = await a.metrics.metrics();
        return [count(text, 'runsc'), count(text, 'runc')];
      })
      .toEqual(['1', '1']);
    await expect.poll(async () => count(await b.metrics.metrics(), 'runsc')).toBe('1');
  });
});
