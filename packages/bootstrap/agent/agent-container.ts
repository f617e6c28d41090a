// Starts the built sbx-agent in the offline busybox image as sbx does (for this folder's integration tests):
// the binary bind-mounted read-only at /.sbx/sbx-agent, a 0700 host directory at /.sbx/run for the socket,
// the engine's init as PID 1, no network. Containers carry a label the tests remove by.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { DOCKER_TEST_IMAGE } from '../src/docker/test-image.js';
import { FrameConnection } from './frame-client.js';

const docker = new Dockerode();
const LABEL = 'sbx.test.agent-go';
const RUN = `${process.pid}-${Date.now()}`;
const pkg = fileURLToPath(new URL('..', import.meta.url));
const binary = join(pkg, 'dist/agent/linux-x64/sbx-agent');
const dirs: string[] = [];

/** Builds dist/agent/linux-x64/sbx-agent (quick when Go's cache is warm). */
export function buildAgent(): void {
  execFileSync(process.execPath, [join(pkg, 'scripts/build-agent.mjs')], { stdio: 'inherit' });
}

/** Starts a container running `cmd` under the agent on `runtime`; resolves once it started. */
export async function startAgent(runtime: string, cmd: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'sbx-agent-int-'));
  chmodSync(dir, 0o700);
  dirs.push(dir);
  const container = await docker.createContainer({
    Image: DOCKER_TEST_IMAGE,
    Entrypoint: ['/.sbx/sbx-agent', 'init', '--socket', '/.sbx/run/agent.sock', '--'],
    Cmd: cmd,
    Labels: { [LABEL]: RUN },
    HostConfig: {
      Runtime: runtime,
      NetworkMode: 'none',
      Init: true,
      Binds: [`${binary}:/.sbx/sbx-agent:ro`, `${dir}:/.sbx/run:rw`],
    },
  });
  await container.start();
  return { container, socket: join(dir, 'agent.sock') };
}

/** Resolves with how long the socket took to accept a connection (rejects after 10 s). */
export async function waitForSocket(socket: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      (await FrameConnection.connect(socket)).close();
      return performance.now() - started;
    } catch (error) {
      if (performance.now() - started > 10_000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Removes this run's containers and socket directories. */
export async function removeAgents(): Promise<void> {
  const rows = await docker
    .listContainers({ all: true, filters: { label: [`${LABEL}=${RUN}`] } })
    .catch(() => []);
  for (const row of rows) await docker.getContainer(row.Id).remove({ force: true });
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
