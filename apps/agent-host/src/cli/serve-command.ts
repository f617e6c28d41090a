import { Command } from 'commander';
import type { ProvisionCommandContext } from '../adapters/sandbox-type-module.js';
import type { AgentHost } from '../sandbox/open-agent-host.js';
import { createApp } from '../server/create-app.js';
import { startServer } from '../server/start-server.js';
import type { CliIo } from './cli-io.js';
import { collect, wholeNumber } from './flags.js';

/** How often `sbx serve` looks for leaked sandboxes. */
export const REAP_INTERVAL_MS = 60_000;

/** The `sbx serve` command. */
export function serveCommand(ctx: ProvisionCommandContext): Command {
  return new Command('serve')
    .description('serve the HTTP API and the dashboard (loopback by default) until SIGINT, SIGTERM or SIGHUP')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--port <port>',
      'port to listen on (0 picks one)',
      wholeNumber('--port', { min: 0, max: 65_535 }),
      7070,
    )
    .option(
      '--cors-origin <origin>',
      'let a browser app at this origin POST to /v1/provisions (repeatable)',
      collect,
    )
    .addHelpText('after', '\nExample:\n  sbx serve --port 7070')
    .action((opts) => ctx.withHost((agent, signal) => serve(agent, opts, ctx.io, signal)));
}

/** Serves until `signal` aborts; the caller then closes the host (which removes live sandboxes). */
export async function serve(
  agent: AgentHost,
  options: { host: string; port: number; corsOrigin?: string[] },
  io: CliIo,
  signal: AbortSignal,
): Promise<void> {
  await reapLeaks(agent, io, true);
  // The live set follows the engine: sandboxes that die or are removed behind the host's back drop out.
  await agent.host
    .watch()
    .catch((error: Error) => io.stderr.write(`sbx: not watching engine events: ${error.message}\n`));
  // Expired sandboxes (their TTL label) and those of dead owners go while the host runs, not only at start.
  const reaper = setInterval(() => void reapLeaks(agent, io, false), REAP_INTERVAL_MS);
  reaper.unref();
  const app = createApp(agent, options.corsOrigin ? { corsOrigins: options.corsOrigin } : {});
  const server = await startServer(app, { host: options.host, port: options.port });
  io.stdout.write(`sbx listening on ${server.url} (db ${agent.config.dbPath})\n`);
  if (!signal.aborted)
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  clearInterval(reaper);
  await server.close();
}

async function reapLeaks(agent: AgentHost, io: CliIo, sayUnreachable: boolean): Promise<void> {
  try {
    await agent.host.ping();
    const removed = await agent.host.reap();
    if (removed.length > 0) io.stderr.write(`reaped ${removed.length} leaked sandbox(es)\n`);
  } catch (error) {
    // The host still serves reports and the browser ingest without Docker: say so in one line.
    if (sayUnreachable)
      io.stderr.write(`${(error as Error).message} (provisioning answers 503 until then)\n`);
  }
}
