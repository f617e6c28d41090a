// The exec benches' fixture: a real host and HTTP server on loopback (a temp database and state dir), a bench
// tenant's token, a JSON caller, and the two sandbox bodies (with the in-sandbox agent, and `agent: false` for
// Docker exec) on the offline test image. Needs .ci/prereqs/docker.sh and `pnpm build`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { Sessions } from '../src/auth/sessions.js';
import { TokenTable } from '../src/auth/token-file.js';
import { resolveConfig } from '../src/compose/config.js';
import { openAgentHost } from '../src/compose/open-agent-host.js';
import { createApp } from '../src/http/create-app.js';
import { startServer } from '../src/http/start-server.js';

const silent = { warn: () => {}, error: () => {} };

/** A `POST /v1/sandboxes` body of the test image: with the agent, or on Docker exec (`agent: false`). */
export const sandboxBody = (agent: boolean) => ({
  type: 'docker',
  image: DOCKER_TEST_IMAGE,
  pull: 'never',
  cmd: "sh -c 'echo ready; exec sleep 3600'",
  ready: 'log:^ready$',
  ...(agent ? {} : { agent: false }),
});

/** Starts the host and its server in a temp dir named after `name`; `close()` removes everything. */
export async function startExecBenchServer(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `sbx-${name}-bench-`));
  const host = await openAgentHost(resolveConfig({ db: join(dir, 'bench.db') }, {}), silent);
  const token = randomBytes(32).toString('base64url');
  const tokens = new TokenTable([{ tenant: 'bench', token }]);
  const server = await startServer(createApp(host, { auth: { tokens, sessions: new Sessions() } }), {
    host: '127.0.0.1',
    port: 0,
  });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, payload?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  const close = async () => {
    await server.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, host, server, headers, call, close };
}
