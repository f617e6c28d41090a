// Where the E2B door's time goes, without an engine: `npx tsx apps/agent-host/test/e2b-door-overhead.ts`.
// Prints p50/p95 of (1) a process Start through the sandbox plane in-process (hono, auth, Connect JSON streaming,
// the agent path) over a fake agent that prints and exits at once, (2) the real SDK's commands.run('echo hi')
// over loopback against the same door, (3) raw fetches of a Start stream and a unary List, (4) the SDK's unary
// commands.list. Run `uptime` beside it: on a loaded machine the loopback numbers are mostly scheduling.
import { serve } from '@hono/node-server';
import { Sandbox } from 'e2b';
import { Hono } from 'hono';
import { FakeProcessAgent } from '../src/core/testing/fake-process-agent.js';
import { controlPlane } from '../src/e2b/control-plane.js';
import type { E2bHost } from '../src/e2b/e2b-host.js';
import { E2bSandboxes } from '../src/e2b/e2b-sandboxes.js';
import { sandboxPlane } from '../src/e2b/sandbox-plane.js';

// The door alone: hono + auth + Connect JSON streaming + the agent path, over a fake agent that prints and
// exits at once (no engine, no socket).
class QuickAgent extends FakeProcessAgent {
  override async start(cmd: readonly string[], options = {}) {
    const proc = await super.start(cmd, options);
    queueMicrotask(() => {
      this.print(proc.pid, 'hi\n');
      this.end(proc.pid, { exitCode: 0 });
    });
    return proc;
  }
}
const agent = new QuickAgent();
const sandbox = { id: 'sb', type: 'docker', agent };
const host = {
  policy: { maxExecsPerSandbox: 100, maxExecsPerTenant: 100 },
  find: () => sandbox,
  labelsOf: () => ({ 'e2b.template': 'base' }),
  measured: (_s: unknown, fn: (signal: AbortSignal, keepOpen: () => { end(): void }) => Promise<unknown>) =>
    fn(new AbortController().signal, () => ({ end() {} })),
} as unknown as E2bHost;
const sandboxes = new E2bSandboxes();
const record = sandboxes.add({ id: 'sb', tenant: 'default' });
const caps = { acquire: () => () => {} };
const app = sandboxPlane({ host, sandboxes, caps: caps as never });
const json = new TextEncoder().encode(
  JSON.stringify({ process: { cmd: '/bin/bash', args: ['-l', '-c', 'echo hi'], envs: {} }, stdin: false }),
);
const body = new Uint8Array(5 + json.length);
new DataView(body.buffer).setUint32(1, json.length);
body.set(json, 5);
const call = async () => {
  const res = await app.request('/process.Process/Start', {
    method: 'POST',
    headers: {
      'content-type': 'application/connect+json',
      'e2b-sandbox-id': 'sb',
      'x-access-token': record.accessToken,
      'keepalive-ping-interval': '50',
      'connect-protocol-version': '1',
    },
    body,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (!new TextDecoder().decode(bytes).includes('"end"')) throw new Error(`no end: ${res.status}`);
};
for (let i = 0; i < 200; i += 1) await call();
const times: number[] = [];
for (let i = 0; i < 2000; i += 1) {
  const t = performance.now();
  await call();
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const p = (q: number) => times[Math.floor(q * times.length)]?.toFixed(3);
const log = console.log;
log(`door in-process Start (fake agent): p50 ${p(0.5)} ms p95 ${p(0.95)} ms over ${times.length}`);

// The real SDK over a real loopback socket against the door with the fake agent: the SDK + HTTP + door cost.
const fakeCreate = {
  ...host,
  create: async () => ({ sandbox, source: 'cold' }),
  alive: () => true,
  times: () => ({ createdAt: 0, expiresAt: Date.now() + 60_000 }),
};
sandboxes.delete('sb');
const root = new Hono();
root.route('/api', controlPlane({ host: fakeCreate as unknown as E2bHost, sandboxes }));
const plane = sandboxPlane({ host, sandboxes, caps: caps as never });
root.route('/envd', plane);
const server = serve({ fetch: root.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const port = (server.address() as { port: number }).port;
process.env.E2B_API_URL = `http://127.0.0.1:${port}/api`;
process.env.E2B_SANDBOX_URL = `http://127.0.0.1:${port}/envd`;
process.env.E2B_API_KEY = 'k';
const sbx = await Sandbox.create('base');
for (let i = 0; i < 100; i += 1) await sbx.commands.run('echo hi');
const sdk: number[] = [];
for (let i = 0; i < 1000; i += 1) {
  const t = performance.now();
  const r = await sbx.commands.run('echo hi');
  if (r.stdout !== 'hi\n') throw new Error(`stdout ${r.stdout}`);
  sdk.push(performance.now() - t);
}
sdk.sort((a, b) => a - b);
const q = (x: number) => sdk[Math.floor(x * sdk.length)]?.toFixed(3);
log(
  `SDK commands.run over loopback, door + fake agent: p50 ${q(0.5)} ms p95 ${q(0.95)} ms over ${sdk.length}`,
);

{
  const server2 = serve({ fetch: root.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server2.once('listening', r));
  const port2 = (server2.address() as { port: number }).port;
  const rec = sandboxes.get('sb', 'default');
  const headers = {
    'content-type': 'application/connect+json',
    'e2b-sandbox-id': rec?.id ?? '',
    'x-access-token': rec?.accessToken ?? '',
    'connect-protocol-version': '1',
  };
  const measure = async (name: string, fn: () => Promise<void>) => {
    for (let i = 0; i < 50; i += 1) await fn();
    const ts: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const t = performance.now();
      await fn();
      ts.push(performance.now() - t);
    }
    ts.sort((a, b) => a - b);
    log(`${name}: p50 ${ts[150]?.toFixed(3)} ms p95 ${ts[285]?.toFixed(3)} ms`);
  };
  await measure('raw fetch Start stream over loopback', async () => {
    const res = await fetch(`http://127.0.0.1:${port2}/envd/process.Process/Start`, {
      method: 'POST',
      headers,
      body,
    });
    await res.arrayBuffer();
  });
  await measure('raw fetch unary List over loopback', async () => {
    const res = await fetch(`http://127.0.0.1:${port2}/envd/process.Process/List`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    await res.arrayBuffer();
  });
  await measure('SDK commands.list (unary)', async () => {
    await sbx.commands.list();
  });
  server2.close();
}
