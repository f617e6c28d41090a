// Test helpers: an app whose sandboxes have an in-sandbox agent (bootstrap's fake agent server over a unix
// socket, spoken to by the real SandboxAgent client), with two tenants' tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxAgent, UnixSocketTransport } from '@sbx/bootstrap';
import { FakeAgentServer } from '@sbx/bootstrap/testing';
import { vi } from 'vitest';
import { PreviewSigner } from '../../auth/preview-signer.js';
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

/**
 * An app with tenants `a` and `b`; `provision()` makes a sandbox whose agent is a fresh fake agent (its own
 * in-memory filesystem, real loopback dials for ports), or one without an agent (`{ agent: false }`).
 */
export async function agentApp(policy: SandboxPolicy = defaultPolicy(2), options: AppOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sbx-agent-app-'));
  const fakes: FakeAgentServer[] = [];
  const archive = {
    stat: vi.fn(async () => undefined),
    list: vi.fn(async () => ({ entries: [], truncated: false })),
  };
  let n = 0;
  // Wired as `sbx serve` wires it (the policy's caps included), over a fake docker adapter.
  const testHost = await createTestHost({
    policy,
    config: { engineAddress: '-' },
    adapters: {
      docker: {
        type: 'docker',
        provision: (async (spec: { agent?: boolean }) => {
          const id = `box-${++n}`;
          let agent: SandboxAgent | undefined;
          if (spec?.agent !== false) {
            const fake = await FakeAgentServer.listen(join(dir, `${id}.sock`));
            fakes.push(fake);
            agent = new SandboxAgent({ transport: new UnixSocketTransport(fake.path), sandboxId: id });
          }
          const sandbox: HostSandbox = {
            id,
            type: 'docker',
            files: archive as never,
            ...(agent ? { agent } : {}),
            exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
            dispose: async () => {},
          };
          return sandbox;
        }) as never,
      },
    },
    logger: { warn: vi.fn(), error: vi.fn() },
  });
  const { host } = testHost;
  const tokens = new TokenTable([
    { tenant: 'a', token: TOKEN_A },
    { tenant: 'b', token: TOKEN_B },
  ]);
  const sessions = new Sessions();
  let now = Math.floor(Date.now() / 1000);
  const signer = new PreviewSigner({ secret: new Uint8Array(32).fill(7), nowSeconds: () => now });
  const app = createApp(
    {
      kpis: testHost.kpis,
      perf: testHost.perf,
      host,
      alerts: testHost.alerts,
      config: testHost.config,
    },
    { auth: { tokens, sessions }, allowedHosts: ['127.0.0.1'], previewSigner: signer, ...options },
  );
  /** Provisions a sandbox for `tenant`; its fake agent is `fakes[last]`. */
  const provision = async (tenant = 'a', spec: { agent?: boolean } = {}) =>
    (await host.provision('docker', spec, { tenant })).sandbox;
  /** A request with tenant a's (or `token`'s) bearer token. */
  const call = (method: string, path: string, init: RequestInit & { token?: string } = {}) => {
    const { token = TOKEN_A, headers, ...rest } = init;
    return app.request(`http://127.0.0.1${path}`, {
      method,
      ...rest,
      headers: { authorization: `Bearer ${token}`, ...(headers as Record<string, string>) },
    });
  };
  const json = (method: string, path: string, body: unknown, token = TOKEN_A) =>
    call(method, path, {
      token,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  return {
    app,
    host,
    fakes,
    archive,
    sessions,
    provision,
    call,
    json,
    setNow: (seconds: number) => {
      now = seconds;
    },
    close: async () => {
      await testHost.close({ timeoutMs: 2_000 });
      await Promise.all(fakes.map((f) => f.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
