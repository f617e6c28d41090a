// Test helpers: an app with two tenants' tokens over an in-memory database and a fake docker adapter.
import { vi } from 'vitest';
import { Sessions } from '../../auth/sessions.js';
import { TokenTable } from '../../auth/token-file.js';
import { createTestHost } from '../../compose/testing/create-test-host.js';
import type { HostSandbox } from '../../core/host-adapter.js';
import { defaultPolicy, type SandboxPolicy } from '../../core/sandbox-policy.js';
import { type AppOptions, createApp } from '../create-app.js';

/** Tenant a's token. */
export const TOKEN_A = 'token-of-tenant-a-0123456789';
/** Tenant b's token. */
export const TOKEN_B = 'token-of-tenant-b-0123456789';

/** An app with tenants `a` and `b`, whose fake sandboxes have a files API that accepts any write. */
export async function securedApp(policy: SandboxPolicy = defaultPolicy(2), options: AppOptions = {}) {
  let n = 0;
  const files = { writeFile: vi.fn(async () => {}), writeTar: vi.fn(async () => {}) };
  const provision = vi.fn(
    async (): Promise<HostSandbox> => ({
      id: `box-${++n}`,
      type: 'docker',
      files: files as never,
      exec: async () => ({ exitCode: 0, stdout: 'hi', stderr: '' }),
      dispose: async () => {},
    }),
  );
  // Wired as `sbx serve` wires it (the policy's caps included), over a fake docker adapter.
  const testHost = await createTestHost({
    policy,
    config: { engineAddress: '-' },
    adapters: { docker: { type: 'docker', provision: provision as never } },
    logger: { warn: vi.fn(), error: vi.fn() },
  });
  const { kpis, host } = testHost;
  const sessions = new Sessions();
  const tokens = new TokenTable([
    { tenant: 'a', token: TOKEN_A },
    { tenant: 'b', token: TOKEN_B },
  ]);
  const tenantOf = vi.spyOn(tokens, 'tenantOf');
  const metrics = { metrics: async () => 'sbx_up 1\n', contentType: 'text/plain' };
  const deps = {
    kpis,
    perf: testHost.perf,
    host,
    alerts: testHost.alerts,
    metrics: metrics as never,
    config: testHost.config,
  };
  const appOptions: AppOptions = { auth: { tokens, sessions }, allowedHosts: ['127.0.0.1'], ...options };
  const app = createApp(deps, appOptions);
  return {
    db: testHost.db,
    testHost,
    kpis,
    host,
    sessions,
    tokens,
    tenantOf,
    files,
    provision,
    app,
    deps,
    options: appOptions,
  };
}
