// What integration tests against the real Docker engine share: the client, whether the engine and the offline
// test image are there (with CI=true a missing engine fails every test; locally the tests are skipped, saying
// why), and the removal of whatever a failed test left behind. Not built into dist.
import Dockerode from 'dockerode';
import { SBX_LABELS } from '../container-config.js';
import type { DockerApi } from '../docker-api.js';
import { DOCKER_TEST_IMAGE } from '../test-image.js';

/** The real engine's client. */
export const docker: DockerApi = new Dockerode();

const CI = process.env.CI === 'true' || process.env.CI === '1';

const engine = await docker.ping().then(
  () => ({ ok: true as const }),
  (error: unknown) => ({ ok: false as const, reason: (error as Error).message }),
);

/** Why the tests cannot run, if they cannot: no engine, or an engine without the offline test image. */
export const engineProblem: string | undefined = !engine.ok
  ? `no Docker engine answers (${engine.reason})`
  : await docker
      .getImage(DOCKER_TEST_IMAGE)
      .inspect()
      .then(
        () => undefined,
        () => `test image ${DOCKER_TEST_IMAGE} is missing`,
      );

/** True when the tests are skipped: no engine and not on CI. */
export const skipWithoutEngine = !engine.ok && !CI;
if (skipWithoutEngine) {
  console.warn(`[sbx] skipping Docker integration tests: ${engineProblem}; run .ci/prereqs/docker.sh`);
}

/** The gVisor runtime the isolation tests run on (registered by `.ci/prereqs/docker.sh`). */
export const GVISOR_RUNTIME = 'runsc';

/** Why the gVisor tests cannot run, if they cannot: no engine, or an engine without the runsc runtime. */
export const runscProblem: string | undefined =
  engineProblem ??
  (await (docker as Dockerode).info().then(
    (info: { Runtimes?: Record<string, unknown> }) =>
      Object.hasOwn(info.Runtimes ?? {}, GVISOR_RUNTIME)
        ? undefined
        : `the Docker engine has no ${GVISOR_RUNTIME} runtime (it has ${Object.keys(info.Runtimes ?? {}).join(', ')})`,
    (error: unknown) => `GET /info failed (${(error as Error).message})`,
  ));

/** True when the gVisor tests are skipped: no runsc (or no engine) and not on CI, where they fail instead. */
export const skipWithoutRunsc = runscProblem !== undefined && !CI;
if (skipWithoutRunsc && !skipWithoutEngine) {
  console.warn(`[sbx] skipping gVisor integration tests: ${runscProblem}; run .ci/prereqs/docker.sh`);
}

/** Throws (so each test fails on its own, on CI) when the engine, the image or runsc is missing. */
export function requireRunsc(): void {
  if (runscProblem) throw new Error(`${runscProblem}; run .ci/prereqs/docker.sh`);
}

/** Throws (so each test fails on its own) when the engine or the image is missing. */
export function requireEngine(): void {
  if (engineProblem) throw new Error(`${engineProblem}; run .ci/prereqs/docker.sh`);
}

/** Force-removes every sbx container whose owner starts with `ownerPrefix` (what a failed test left). */
export async function removeContainersOf(ownerPrefix: string): Promise<void> {
  if (!engine.ok) return;
  const rows = await docker.listContainers({
    all: true,
    filters: { label: [`${SBX_LABELS.managedBy}=sbx`] },
  });
  for (const row of rows.filter((r) => r.Labels[SBX_LABELS.owner]?.startsWith(ownerPrefix))) {
    await docker
      .getContainer(row.Id)
      .remove({ force: true })
      .catch(() => {});
  }
}

/** Ids of the containers (running or not) stamped with `owner`. */
export async function containersOwnedBy(owner: string): Promise<string[]> {
  const rows = await docker.listContainers({
    all: true,
    filters: { label: [`${SBX_LABELS.owner}=${owner}`] },
  });
  return rows.map((row) => row.Id);
}

/** How many sockets and pipes this process holds open (each would keep Node running). */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'PipeWrap' || name === 'TCPSocketWrap')
    .length;
}

/** Resolves once `openSockets()` is back to `baseline` (or rejects after `ms`), polling every 20 ms. */
export async function socketsBackTo(baseline: number, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (openSockets() > baseline) {
    if (Date.now() > until)
      throw new Error(`${openSockets() - baseline} socket(s) still open after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
