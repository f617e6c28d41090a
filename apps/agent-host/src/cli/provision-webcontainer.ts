import { randomBytes } from 'node:crypto';
import { quantile } from '@sbx/timing';
import { Sessions } from '../auth/sessions.js';
import { DEFAULT_TENANT, TokenTable } from '../auth/token-file.js';
import type { AgentHost } from '../compose/open-agent-host.js';
import { createApp } from '../http/create-app.js';
import { startServer } from '../http/start-server.js';
import {
  driveWebContainerProvisions,
  type WebContainerDriveResult,
} from '../kinds/webcontainer/driver/index.js';
import type { CliIo } from './cli-io.js';
import { ms, phaseLine } from './format.js';

/** Options of `sbx provision webcontainer`. */
export interface ProvisionWebContainerOptions {
  count: number;
  fake?: boolean | string;
  chromium?: string;
  timeout?: number;
  bootTimeout?: number;
  json?: boolean;
}

/**
 * Serves the measuring page from an in-process host on a free loopback port, drives headless Chromium
 * through `count` provisions (one browser context each); the page posts each result to the same database.
 */
export async function provisionWebContainer(
  agent: AgentHost,
  options: ProvisionWebContainerOptions,
  io: CliIo,
) {
  // The in-process host checks a one-off token like any other: the headless page sends it with each request.
  const token = randomBytes(32).toString('base64url');
  const auth = { tokens: new TokenTable([{ tenant: DEFAULT_TENANT, token }]), sessions: new Sessions() };
  // Its only caller is the page this command drives: what it posts is the host's own measurement, judged.
  const app = createApp(agent, { auth, ingestSource: 'cold' });
  const server = await startServer(app, { host: '127.0.0.1', port: 0 });
  try {
    const results = await driveWebContainerProvisions({
      baseUrl: server.url,
      headers: { authorization: `Bearer ${token}` },
      count: options.count,
      fake: options.fake ?? false,
      ...(options.chromium ? { executablePath: options.chromium } : {}),
      ...(options.timeout ? { timeoutMs: options.timeout } : {}),
      ...(options.bootTimeout ? { query: { bootTimeoutMs: options.bootTimeout } } : {}),
      onResult: (r) => {
        if (!options.json) io.stdout.write(`${formatRow(r)}\n`);
      },
    });
    const durations = results.map((r) => r.measurement.payload.durationMs);
    const failures = results.filter((r) => r.measurement.payload.error).length;
    const notRecorded = results.filter((r) => !r.measurement.ingest.ok).length;
    const summary = {
      n: results.length,
      p50Ms: quantile(durations, 0.5),
      p95Ms: quantile(durations, 0.95),
      slaBreaches: results.filter((r) => r.measurement.payload.status === 'sla_breach').length,
      failures,
    };
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ rows: results.map(jsonRow), summary }, null, 2)}\n`);
    } else {
      io.stdout.write(
        `provisioned ${summary.n}: p50 ${ms(summary.p50Ms)}  p95 ${ms(summary.p95Ms)}  SLA breaches ${summary.slaBreaches}  failures ${failures}\n`,
      );
    }
    if (notRecorded > 0) io.stderr.write(`sbx: ${notRecorded} result(s) could not be posted to the host\n`);
    return failures > 0 || notRecorded > 0 ? 1 : 0;
  } finally {
    await server.close();
  }
}

function jsonRow(r: WebContainerDriveResult) {
  const { payload, crossOriginIsolated, ingest } = r.measurement;
  return { ...payload, crossOriginIsolated, recorded: ingest.ok };
}

function formatRow(r: WebContainerDriveResult): string {
  const p = r.measurement.payload;
  const status = p.error ? 'FAILED' : p.status;
  const error = p.error ? `  ${p.error.code ?? p.error.name}: ${p.error.message}` : '';
  const ingest = r.measurement.ingest.ok
    ? ''
    : `  (not recorded: ${r.measurement.ingest.error ?? r.measurement.ingest.status})`;
  return `#${String(r.index + 1).padEnd(4)} ${status.padEnd(10)} ${ms(p.durationMs).padStart(11)}  ${phaseLine(p.phases)}${error}${ingest}`;
}
