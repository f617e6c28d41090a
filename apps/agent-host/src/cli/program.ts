import { isSandboxType, type SandboxType } from '@sbx/timing';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type HostFlags, resolveConfig } from '../config.js';
import { toDockerSpec } from '../sandbox/docker-spec.js';
import { type AgentHost, openAgentHost } from '../sandbox/open-agent-host.js';
import { CliError, type CliIo, cliLogger } from './cli-io.js';
import { provisionDocker } from './provision-command.js';
import { provisionWebContainer } from './provision-webcontainer-command.js';
import { report } from './report-command.js';
import { serve } from './serve-command.js';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1`);
  return n;
};

const sandboxType = (value: string): SandboxType => {
  if (!isSandboxType(value)) throw new InvalidArgumentError("must be 'docker' or 'webcontainer'");
  return value;
};

const envPair = (value: string, previous: Record<string, string> = {}) => {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected KEY=VALUE, got ${value}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
};

/** Builds the `sbx` command line; `open` composes the host (tests may hand in their own). */
export function buildProgram(io: CliIo, open: typeof openAgentHost = openAgentHost): Command {
  const program = new Command('sbx')
    .description('Provision code-execution sandboxes, measure them against their SLA, and report.')
    .option('--db <path>', 'SQLite database file (env SBX_DB)', undefined)
    .option('--webhook-url <url>', 'post overhead alerts and SLA breaches here (env SBX_WEBHOOK_URL)')
    .option(
      '--alert-threshold <ms>',
      'overhead-alert threshold of a sandbox run (env SBX_ALERT_THRESHOLD_MS)',
      positiveInt('--alert-threshold'),
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const withHost = async <T>(fn: (agent: AgentHost) => Promise<T>): Promise<T> => {
    const agent = await open(resolveConfig(program.opts<HostFlags>(), io.env), cliLogger(io));
    try {
      return await fn(agent);
    } finally {
      await agent.close();
    }
  };

  program
    .command('provision')
    .description(
      'provision sandboxes, optionally run a command in each, tear them down, and print the timings',
    )
    .addArgument(program.createArgument('<type>', 'docker | webcontainer').argParser(sandboxType))
    .option('--image <image>', 'docker image (must be present locally unless --pull allows)')
    .option('--cmd <command>', 'container command, shell-quoted: "sh -c \'echo ready; sleep 3600\'"')
    .option('--ready <probe>', 'readiness: log:REGEX | exec:CMD | port:N | http:PATH | healthcheck | running')
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', envPair)
    .addOption(new Option('--pull <policy>', 'image pull policy').choices(['never', 'missing', 'always']))
    .option('--count <n>', 'how many sandboxes', positiveInt('--count'), 1)
    .option('--concurrency <c>', 'how many at once', positiveInt('--concurrency'), 1)
    .option('--exec <command>', 'run this command in each sandbox (timed by the perf monitor)')
    .option('--exec-timeout <ms>', 'kill the command after this many ms', positiveInt('--exec-timeout'))
    .option('--deadline <ms>', 'give up on one provisioning after this many ms', positiveInt('--deadline'))
    .option('--fake [scenario]', 'webcontainer: swap in the fake module (ok, hang, ...) - no internet needed')
    .option('--chromium <path>', 'webcontainer: the Chromium binary', '/usr/bin/chromium')
    .option(
      '--timeout <ms>',
      'webcontainer: bound of one provision, page load to result',
      positiveInt('--timeout'),
    )
    .option('--boot-timeout <ms>', 'webcontainer: bound of boot() in the page', positiveInt('--boot-timeout'))
    .option('--json', 'print JSON for scripts')
    .addHelpText(
      'after',
      `\nExamples:\n  sbx provision webcontainer --fake --count 5\n  sbx provision docker --image sbx-test/busybox --cmd "sh -c 'echo ready; sleep 3600'" --ready log:ready --count 10`,
    )
    .action(async (type: SandboxType, opts) => {
      if (type === 'webcontainer') {
        process.exitCode = await withHost((agent) => provisionWebContainer(agent, opts, io));
        return;
      }
      if (!opts.image)
        throw new CliError('--image is required for docker sandboxes, e.g. --image sbx-test/busybox');
      const spec = toDockerSpec({
        image: opts.image,
        cmd: opts.cmd,
        ready: opts.ready,
        env: opts.env,
        pull: opts.pull,
      });
      process.exitCode = await withHost(async (agent) => {
        await agent.adapter.ping();
        return provisionDocker(agent, spec, opts, io);
      });
    });

  program
    .command('report')
    .description(
      'per sandbox type: P95 over the last 100 against the SLA, p50/p99, breaches, failures; run report',
    )
    .option('--type <type>', 'only this sandbox type', sandboxType)
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExample:\n  sbx report --type docker --json')
    .action((opts) => withHost((agent) => report(agent, opts, io)));

  program
    .command('serve')
    .description('serve the HTTP API (loopback by default)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks one)', (v) => Number.parseInt(v, 10), 7070)
    .option(
      '--cors-origin <origin>',
      'let a browser app at this origin POST to /v1/provisions (repeatable)',
      (v: string, previous: string[] = []) => [...previous, v],
    )
    .addHelpText('after', '\nExample:\n  sbx serve --port 7070')
    .action((opts) => withHost((agent) => serve(agent, opts, io)));

  program
    .command('reap')
    .description('remove leaked sbx containers (expired, or whose owner process is gone)')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExample:\n  sbx reap')
    .action((opts) =>
      withHost(async (agent) => {
        const { removed } = await agent.adapter.reap();
        io.stdout.write(
          opts.json ? `${JSON.stringify({ removed })}\n` : `removed ${removed.length} leaked container(s)\n`,
        );
      }),
    );

  return program;
}
