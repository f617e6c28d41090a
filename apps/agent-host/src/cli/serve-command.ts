import type { AgentHost } from '../sandbox/open-agent-host.js';
import { createApp } from '../server/create-app.js';
import { startServer } from '../server/start-server.js';
import type { CliIo } from './cli-io.js';

/** `sbx serve`: the HTTP API on loopback by default; runs until SIGINT/SIGTERM, then removes live sandboxes. */
export async function serve(
  agent: AgentHost,
  options: { host: string; port: number; corsOrigin?: string[] },
  io: CliIo,
): Promise<void> {
  try {
    await agent.adapter.ping();
    await reapLeaks(agent, io);
  } catch (error) {
    // The host still serves reports and the browser ingest without Docker: say so in one line.
    io.stderr.write(`${(error as Error).message} (docker provisioning answers 503 until then)\n`);
  }
  // Expired sandboxes (their TTL label) and those of dead owners go while the host runs, not only at start.
  const reaper = setInterval(() => void reapLeaks(agent, io).catch(() => {}), REAP_INTERVAL_MS);
  reaper.unref();
  const app = createApp(agent, options.corsOrigin ? { corsOrigins: options.corsOrigin } : {});
  const server = await startServer(app, { host: options.host, port: options.port });
  io.stdout.write(`sbx listening on ${server.url} (db ${agent.config.dbPath})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  clearInterval(reaper);
  io.stderr.write('shutting down: removing live sandboxes\n');
  await server.close();
}

/** How often `sbx serve` looks for leaked sandbox containers. */
export const REAP_INTERVAL_MS = 60_000;

async function reapLeaks(agent: AgentHost, io: CliIo): Promise<void> {
  const { removed } = await agent.adapter.reap();
  if (removed.length > 0) io.stderr.write(`reaped ${removed.length} leaked sandbox container(s)\n`);
}
