import { join } from 'node:path';
import { loadPreviewSecret, PreviewSigner } from '../auth/preview-signer.js';
import { Sessions } from '../auth/sessions.js';
import { DEFAULT_TENANT, loadTokenFile } from '../auth/token-file.js';
import { DEFAULT_STATE_DIR } from '../compose/config.js';
import type { AgentHost } from '../compose/open-agent-host.js';
import { loadPoolFile } from '../compose/pool-file.js';
import { createApp } from '../http/create-app.js';
import { startServer } from '../http/start-server.js';
import type { CliIo } from './cli-io.js';
import { logText } from './log-text.js';

/** How often `sbx serve` looks for leaked sandboxes. */
export const REAP_INTERVAL_MS = 60_000;

/** Serves until `signal` aborts; the caller then closes the host (which removes live sandboxes). */
export async function serve(
  agent: AgentHost,
  options: ServeOptions,
  io: CliIo,
  signal: AbortSignal,
): Promise<void> {
  // A bad pool file stops the server before it listens, naming the pool and the field.
  const pools = options.poolFile ? loadPoolFile(options.poolFile, agent.service.policy) : [];
  if (options.poolFile) await agent.service.pools.admit(pools, options.poolFile);
  await reapLeaks(agent, io, true);
  // The live set follows the engine: sandboxes that die or are removed behind the host's back drop out.
  await agent.service
    .watch()
    .catch((error: Error) => io.stderr.write(`sbx: not watching engine events: ${logText(error.message)}\n`));
  // Expired sandboxes (their TTL label) and those of dead owners go while the host runs, not only at start.
  const reaper = setInterval(() => void reapLeaks(agent, io, false), REAP_INTERVAL_MS);
  if (pools.length > 0) {
    agent.service.pools.start(pools);
    io.stdout.write(`warm pools: ${pools.map((p) => `${p.name} (${p.size} ${p.type})`).join(', ')}\n`);
  }
  reaper.unref();
  // Never derived from a postgres:// URL: that would print its password and make it a path.
  const tokenFile = options.tokenFile ?? join(agent.config.stateDir ?? DEFAULT_STATE_DIR, 'token');
  const { table, created } = loadTokenFile(tokenFile);
  const sessions = new Sessions();
  // Signed preview URLs survive a restart; deleting the file revokes them all.
  const previewSigner = new PreviewSigner({
    secret: loadPreviewSecret(join(agent.config.stateDir ?? DEFAULT_STATE_DIR, 'preview-secret')),
  });
  const app = createApp(agent, {
    previewSigner,
    auth: { tokens: table, sessions },
    allowedHosts: [options.host, ...(options.allowedHost ?? [])],
    ...(options.metricsOpen ? { metricsOpen: true } : {}),
    ...(options.corsOrigin ? { corsOrigins: options.corsOrigin } : {}),
    ...(options.e2bDomain ? { e2bDomain: options.e2bDomain } : {}),
  });
  const server = await startServer(app, { host: options.host, port: options.port });
  const stopGuard = guardProcess(io);
  io.stdout.write(
    `sbx listening on ${server.url} (db ${agent.config.dbLabel ?? agent.config.dbPath}, host ${agent.config.hostId ?? 'unnamed'})\n`,
  );
  io.stdout.write(
    `${created ? 'created the token file' : 'tokens from'} ${tokenFile} (send Authorization: Bearer TOKEN)\n`,
  );
  const login = sessions.issueLoginCode(table.tenants[0] ?? DEFAULT_TENANT);
  io.stdout.write(`dashboard: ${server.url}/login?code=${login} (one-time login URL)\n`);
  if (!isLoopback(options.host)) {
    io.stderr.write(
      `sbx: warning: listening on ${options.host}, not loopback: anyone who can reach it and holds a token in ${tokenFile} can run code here\n`,
    );
  }
  if (!signal.aborted)
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  clearInterval(reaper);
  stopGuard();
  await server.close();
}

/** Options of `sbx serve`. */
export interface ServeOptions {
  host: string;
  port: number;
  tokenFile?: string;
  allowedHost?: string[];
  metricsOpen?: boolean;
  corsOrigin?: string[];
  /** Warm pools to keep (`--pool-file`). */
  poolFile?: string;
  /** The E2B door's domain (`--e2b-domain`). */
  e2bDomain?: string;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The last line of defence of a long-running server: an error nothing caught is logged in one line and the
 * server keeps serving (every known engine error is mapped where it happens; this catches the unknown).
 */
function guardProcess(io: CliIo): () => void {
  const onError = (error: unknown) => {
    io.stderr.write(
      `sbx: error: uncaught, kept serving: ${logText((error as Error)?.message ?? String(error))}\n`,
    );
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}

async function reapLeaks(agent: AgentHost, io: CliIo, sayUnreachable: boolean): Promise<void> {
  try {
    await agent.service.ping();
    const removed = await agent.service.reap();
    if (removed.length > 0) io.stderr.write(`reaped ${removed.length} leaked sandbox(es)\n`);
  } catch (error) {
    // The host still serves reports and the browser ingest without Docker: say so in one line.
    if (sayUnreachable)
      io.stderr.write(`${logText((error as Error).message)} (provisioning answers 503 until then)\n`);
  }
}
