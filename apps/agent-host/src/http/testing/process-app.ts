// Test helpers: an app with tenants a and b over sandboxes with and without a fake in-sandbox agent.
import type { ExecOptions } from '@sbx/bootstrap';
import { vi } from 'vitest';
import { Sessions } from '../../auth/sessions.js';
import { TokenTable } from '../../auth/token-file.js';
import { createTestHost } from '../../compose/testing/create-test-host.js';
import type { FilesAgent } from '../../core/files-agent.js';
import type { HostSandbox } from '../../core/host-adapter.js';
import type { ProcessAgent } from '../../core/process-agent.js';
import { defaultPolicy, type SandboxPolicy } from '../../core/sandbox-policy.js';
import { FakeProcessAgent } from '../../core/testing/fake-process-agent.js';
import { createApp } from '../create-app.js';
import { TOKEN_A, TOKEN_B } from './secured-app.js';

/**
 * Sandboxes `box-1` (tenant a, with an agent `agents[0]`), `box-2` (tenant a, no agent: its commands run
 * through `engineExec`) and `box-3` (tenant b, agent `agents[1]`); `call(token, method, path, body?)` asks the
 * app as that tenant.
 */
export async function processApp(
  policy: Partial<SandboxPolicy> = {},
  options: { agentA?: ProcessAgent } = {},
) {
  const agents = [new FakeProcessAgent(), new FakeProcessAgent()];
  const engineExec = vi.fn(async (_cmd: unknown, _options?: ExecOptions) => ({
    exitCode: 0,
    stdout: 'engine',
    stderr: '',
  }));
  const plan: Array<ProcessAgent | undefined> = [options.agentA ?? agents[0], undefined, agents[1]];
  let n = 0;
  const provision = async (): Promise<HostSandbox> => {
    const agent = plan[n];
    n += 1;
    return {
      id: `box-${n}`,
      type: 'docker',
      // the process routes use only the agent's process calls: its file calls are not faked here
      ...(agent ? { agent: agent as ProcessAgent & FilesAgent } : {}),
      exec: (cmd, options) => engineExec(cmd, options),
      dispose: async () => {},
    };
  };
  const full = { ...defaultPolicy(2), ...policy };
  // Wired as `sbx serve` wires it, over a fake docker adapter.
  const testHost = await createTestHost({
    policy: full,
    config: { engineAddress: '-' },
    adapters: { docker: { type: 'docker', provision: provision as never } },
    logger: { warn: vi.fn(), error: vi.fn() },
  });
  const { host, perf } = testHost;
  const tokens = new TokenTable([
    { tenant: 'a', token: TOKEN_A },
    { tenant: 'b', token: TOKEN_B },
  ]);
  const app = createApp(
    {
      kpis: testHost.kpis,
      perf,
      host,
      config: testHost.config,
    },
    { auth: { tokens, sessions: new Sessions() }, allowedHosts: ['127.0.0.1'] },
  );
  await host.provision('docker', {}, { tenant: 'a' });
  await host.provision('docker', {}, { tenant: 'a' });
  await host.provision('docker', {}, { tenant: 'b' });
  const call = (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.request(`http://127.0.0.1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined || body instanceof Uint8Array ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body) }),
    });
  return { app, host, perf, agents: agents as [FakeProcessAgent, FakeProcessAgent], engineExec, call };
}

export { TOKEN_A, TOKEN_B };
