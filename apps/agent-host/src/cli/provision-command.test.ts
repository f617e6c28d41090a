import type { DockerSandboxSpec } from '@sbx/bootstrap';
import { describe, expect, it } from 'vitest';
import type { AgentHost } from '../compose/agent-host.js';
import type { HostConfig } from '../compose/config.js';
import type { SandboxHost } from '../core/sandbox-host.js';
import { AgentHostError } from '../errors.js';
import { SandboxService } from '../service/sandbox-service.js';
import type { CliIo } from './cli-io.js';
import { buildProgram } from './program.js';

const RUNTIMES = { default: 'runc', runtimes: [{ name: 'runc', networkNone: false }] };

/** Runs `sbx provision docker ...args` over a stand-in host that records each spec and refuses past `cap`. */
async function provision(args: string[], env: NodeJS.ProcessEnv = {}, cap = Number.POSITIVE_INFINITY) {
  let stdout = '';
  let stderr = '';
  const specs: DockerSandboxSpec[] = [];
  const io: CliIo = {
    stdout: { write: (t) => (stdout += String(t)) },
    stderr: { write: (t) => (stderr += String(t)) },
    env,
    setExitCode: () => {},
  };
  const open = async (config: HostConfig) => {
    const host = {
      adapter: () => ({ ping: async () => {}, listRuntimes: async () => RUNTIMES }),
      provision: async (
        _type: string,
        spec: DockerSandboxSpec,
        options: { onResult?: (r: unknown) => void },
      ) => {
        if (specs.length >= cap)
          throw new AgentHostError(
            'TOO_MANY_SANDBOXES',
            `at most ${cap} live sandboxes per tenant: delete one first`,
          );
        specs.push(spec);
        const result = {
          sandboxType: 'docker',
          durationMs: 500,
          status: 'ok',
          slaLimitMs: 30_000,
          phases: [],
        };
        options.onResult?.(result);
        return { sandbox: { id: `sbx-${specs.length}` }, result };
      },
      dispose: async () => {},
      recordFailures: 0,
    } as unknown as SandboxHost;
    // The CLI reaches the host only through the sandbox service, the same one the HTTP API calls.
    const service = new SandboxService({ host, policy: config.policy });
    return {
      config,
      host,
      service,
      drainStore: async () => 0,
      close: async () => ({}),
    } as unknown as AgentHost;
  };
  const before = process.exitCode;
  await buildProgram(io, open)
    .parseAsync([
      'node',
      'sbx',
      'provision',
      'docker',
      '--db',
      ':memory:',
      '--image',
      'sbx-test/busybox',
      ...args,
    ])
    .catch((error: Error) => {
      stderr += `thrown: ${error.message}\n`;
    });
  const exitCode = process.exitCode;
  process.exitCode = before;
  return { stdout, stderr, specs, exitCode };
}

describe('sbx provision docker runs the server policy by default', () => {
  it('gives CLI sandboxes what POST /v1/sandboxes gives: read-only rootfs, bounded /tmp, capped resources', async () => {
    const run = await provision(['--count', '2']);
    expect(run.specs).toHaveLength(2);
    for (const spec of run.specs) {
      expect(spec.readOnlyRootfs).toBe(true);
      expect(spec.tmpfsBytes).toBeGreaterThan(0);
      expect(spec.resources).toMatchObject({ cpus: expect.any(Number), memoryBytes: expect.any(Number) });
      expect(spec.logMaxBytes).toBeGreaterThan(0);
    }
  });

  it.each([
    [['--network', 'egress'], /^thrown: --network: .*--allow-network/],
    [['--runtime', 'runsc'], /^thrown: --runtime: "runsc" is not allowed/],
  ])(
    'refuses %j under the server policy before any provisioning, naming the flag',
    async (extra, message) => {
      const run = await provision(extra);
      expect(run.specs).toEqual([]);
      expect(run.stderr).toMatch(message);
    },
  );

  it('follows the policy environment sbx serve reads (SBX_ALLOW_NETWORK)', async () => {
    const run = await provision(['--network', 'egress'], { SBX_ALLOW_NETWORK: '1' });
    expect(run.specs[0]?.network).toBe('egress');
  });

  it('--policy engine keeps the engine defaults (writable rootfs, no caps)', async () => {
    const run = await provision(['--policy', 'engine', '--network', 'egress']);
    expect(run.specs[0]?.readOnlyRootfs).toBeUndefined();
    expect(run.specs[0]?.resources).toBeUndefined();
    expect(run.specs[0]?.network).toBe('egress');
  });

  it('prints a cap refusal as one line, not as rows of 0 ms SLA breaches', async () => {
    const run = await provision(['--count', '5'], {}, 2);
    expect(run.stdout).toContain('provisioned 2: p50 500.0 ms');
    expect(run.stdout).toContain('SLA breaches 0  failures 0');
    expect(run.stdout).not.toMatch(/ 0\.0 ms|FAILED/);
    expect(run.stderr).toBe(
      'sbx: 3 of 5 refused before provisioning, not measured (TOO_MANY_SANDBOXES: at most 2 live sandboxes per tenant: delete one first): run at most 20 at once (--concurrency 20) or raise the cap (SBX_MAX_LIVE_PER_TENANT, SBX_MAX_LIVE_TOTAL)\n',
    );
    expect(run.exitCode).toBe(1);
  });
});
