import { Command } from 'commander';
import { POLICY_SETTINGS, type SandboxPolicy } from '../core/sandbox-policy.js';
import type { ProvisionCommandContext } from './command-context.js';
import { collect, wholeNumber } from './flags.js';
import { serve } from './serve.js';

/** The `sbx serve` command. */
export function serveCommand(ctx: ProvisionCommandContext): Command {
  const command = new Command('serve')
    .description('serve the HTTP API and the dashboard (loopback by default) until SIGINT, SIGTERM or SIGHUP')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--port <port>',
      'port to listen on (0 picks one)',
      wholeNumber('--port', { min: 0, max: 65_535 }),
      7070,
    )
    .option(
      '--token-file <path>',
      'TENANT:TOKEN lines; created with one token if missing (default: token beside the database)',
    )
    .option(
      '--allowed-host <name>',
      'a Host header name to serve besides loopback and --host (repeatable)',
      collect,
    )
    .option('--metrics-open', 'serve /metrics without a token')
    .option(
      '--cors-origin <origin>',
      'let a browser app at this origin POST to /v1/provisions (repeatable)',
      collect,
    )
    .option(
      '--no-read-only-rootfs',
      'sandboxes get a writable root filesystem (default: read-only, tmpfs at /tmp)',
    )
    .option(
      '--allow-runtime <name>',
      "let sandboxes ask for this engine runtime besides the engine's default, e.g. runsc (repeatable; env SBX_ALLOW_RUNTIMES, comma list)",
      collect,
    )
    .option(
      '--allow-registry <host>',
      'let the engine pull sandbox images from this registry, host[:port] or "default" (repeatable; env SBX_ALLOW_REGISTRIES, comma list); default none: images must be on the engine',
      collect,
    )
    .option(
      '--allow-network',
      'let sandboxes ask for network "egress" (the engine bridge; env SBX_ALLOW_NETWORK=1); default loopback only',
    )
    .option(
      '--pool-file <path>',
      'keep warm pools declared in this JSON file: [{ "name", "size", "spec": <POST /v1/sandboxes body> }]',
    )
    .option(
      '--e2b-domain <name>',
      "the E2B door's domain: the SDK's getHost(port) names PORT-ID.<name> (env SBX_E2B_DOMAIN; see docs/e2b.md)",
      process.env.SBX_E2B_DOMAIN,
    );
  for (const [key, [flag, variable]] of Object.entries(POLICY_SETTINGS)) {
    command.option(`${flag} <n>`, `server policy: ${key} (env ${variable})`);
  }
  return command
    .addHelpText(
      'after',
      '\nExample:\n  sbx serve --port 7070 --max-live-total 50\n  sbx serve --pool-file pools.json',
    )
    .action((opts) =>
      ctx.withHost((agent, signal) => serve(agent, opts, ctx.io, signal), { policy: policyFlags(opts) }),
    );
}

function policyFlags(opts: Record<string, unknown>): Partial<Record<keyof SandboxPolicy, unknown>> {
  const flags: Partial<Record<keyof SandboxPolicy, unknown>> = {};
  for (const key of Object.keys(POLICY_SETTINGS) as Array<keyof typeof POLICY_SETTINGS>) {
    if (opts[key] !== undefined) flags[key] = opts[key];
  }
  if (opts.readOnlyRootfs === false) flags.readOnlyRootfs = false;
  if (Array.isArray(opts.allowRuntime)) flags.allowedRuntimes = opts.allowRuntime;
  if (Array.isArray(opts.allowRegistry)) flags.allowedRegistries = opts.allowRegistry;
  if (opts.allowNetwork === true) flags.allowNetwork = true;
  return flags;
}
