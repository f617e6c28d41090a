import { readFileSync } from 'node:fs';
import { SANDBOX_TYPES } from '@sbx/timing';
import { Command } from 'commander';
import { benchCommand } from '../bench/bench-command.js';
import { type HostFlags, resolveConfig } from '../compose/config.js';
import { type AgentHost, openAgentHost } from '../compose/open-agent-host.js';
import { sandboxModules } from '../kinds/registry.js';
import { type CliIo, cliLogger } from './cli-io.js';
import { wholeNumber } from './flags.js';
import { type ProvisionCommandContext, provisionCommand } from './provision-command.js';
import { reapCommand } from './reap-command.js';
import { remoteCommands } from './remote/index.js';
import { reportCommand } from './report-command.js';
import { serveCommand } from './serve-command.js';
import { reportLingeringResources, trapShutdownSignals } from './shutdown-signals.js';
import { templateCommand } from './template-command.js';

/** How long the host may take to close after a signal: inside the 2 s a user waits. */
export const CLI_CLOSE_TIMEOUT_MS = 1_500;

const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** Builds the `sbx` command line; `open` composes the host (tests may hand in their own). */
export function buildProgram(io: CliIo, open: typeof openAgentHost = openAgentHost): Command {
  const program = new Command('sbx')
    .description('Provision code-execution sandboxes, measure them against their SLA, and report.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--db <path|url>', 'SQLite database file, or postgres:// URL for a fleet (env SBX_DB)', undefined)
    .option(
      '--host-id <id>',
      'this host in a fleet: stamped on every row; scopes `sbx report` to it (env SBX_HOST_ID, default hostname)',
    )
    .option('--webhook-url <url>', 'post overhead alerts and SLA breaches here (env SBX_WEBHOOK_URL)')
    .option(
      '--alert-threshold <ms>',
      'overhead-alert threshold of a sandbox run (env SBX_ALERT_THRESHOLD_MS)',
      wholeNumber('--alert-threshold'),
    );

  const ctx: ProvisionCommandContext = {
    io,
    async withHost(fn, flags = {}) {
      const config = resolveConfig({ ...program.opts<HostFlags>(), ...flags }, io.env);
      const agent = await open(config, cliLogger(io));
      const trap = trapShutdownSignals(io, () => lastResort(agent));
      // The first signal starts closing at once: provisionings and jobs in flight are aborted now.
      trap.signal.addEventListener('abort', () => void agent.close({ timeoutMs: CLI_CLOSE_TIMEOUT_MS }), {
        once: true,
      });
      try {
        return await fn(agent, trap.signal);
      } finally {
        await agent.close({ timeoutMs: CLI_CLOSE_TIMEOUT_MS });
        trap.dispose();
        reportLingeringResources(io);
      }
    },
  };

  const provision = new Command('provision').description(
    `provision sandboxes (${SANDBOX_TYPES.join(' | ')}), optionally run a command in each, tear them down, and print the timings`,
  );
  for (const module of sandboxModules()) provision.addCommand(provisionCommand(module, ctx));
  program.addCommand(provision);
  program.addCommand(reportCommand(ctx));
  program.addCommand(serveCommand(ctx));
  program.addCommand(reapCommand(ctx));
  program.addCommand(benchCommand(ctx));
  program.addCommand(templateCommand(io));
  for (const command of remoteCommands(io)) program.addCommand(command);
  applyToAll(program, io);
  return program;
}

// Every command: one-line errors naming the flag, ending with where to read more (never the whole usage).
function applyToAll(command: Command, io: CliIo): void {
  command.exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(`${oneLineError(s)} (see ${commandPath(command)} --help)\n`),
  });
  for (const sub of command.commands) applyToAll(sub, io);
}

/**
 * commander's error as one `sbx: ...` line. Its "option '--count <n>' argument 'x' is invalid. <why>" keeps our
 * own message when it names the flag, and names the flag and the value when it does not (`.choices()`).
 */
export function oneLineError(text: string): string {
  const line = text.trim().replace(/\s*\n\s*/g, ' ');
  const invalid = /^error: option '(-[^' ,]*)[^']*' argument '([^']*)' is invalid\. (.*)$/.exec(line);
  if (invalid) {
    const [, flag = '', value = '', why = ''] = invalid;
    return why.startsWith(flag) ? `sbx: ${why}` : `sbx: ${flag} ${JSON.stringify(value)}: ${why}`;
  }
  return line.replace(/^error: /, 'sbx: ');
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function lastResort(agent: AgentHost): string | undefined {
  const left = agent.service.abandon();
  return left.length === 0
    ? undefined
    : `${left.length} sandbox(es) may be left behind; \`sbx reap\` removes them`;
}
