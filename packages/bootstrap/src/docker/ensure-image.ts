import { callUnlessAborted, raceAbort, whenAborted } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { DockerApi } from './docker-api.js';
import { connectionErrorCode, isNotFound, wrapDockerError } from './docker-error.js';
import { destroyStream } from './docker-stream.js';
import { pullFailure } from './pull-failure.js';

/** Where a sandbox's image came from: already on the engine, or pulled for it. */
export type ImageSource = 'local' | 'pulled';

/**
 * Makes `image` present on the engine as `pull` allows, and says whether it was local or pulled. A failed pull
 * is `IMAGE_NOT_FOUND` or `PULL_FAILED` with one line of sbx's own (never the engine's text), retryable only when
 * a later try can succeed (an unreachable or busy registry; not a missing image, a refusal or an unknown host).
 */
export async function ensureImage(
  docker: DockerApi,
  image: string,
  pull: 'never' | 'missing' | 'always',
  signal: AbortSignal,
  engineAddress: string,
): Promise<ImageSource> {
  const wrap = (error: unknown, doing: string) =>
    wrapDockerError(error, {
      code: 'PULL_FAILED',
      notFound: 'IMAGE_NOT_FOUND',
      doing,
      engineAddress,
      phase: 'image',
    });
  if (pull !== 'always') {
    try {
      await callUnlessAborted(signal, () => docker.getImage(image).inspect());
      return 'local';
    } catch (error) {
      if (signal.aborted || !isNotFound(error))
        throw signal.aborted ? signal.reason : wrap(error, `inspecting image ${image}`);
      if (pull === 'never') {
        throw new BootstrapError(
          'IMAGE_NOT_FOUND',
          `image ${image} is not on the engine and pull is 'never' - build or load it there first (docker build, docker load), or let it be pulled (pull: 'missing'; sbx serve pulls only from registries allowed with --allow-registry)`,
          { cause: error, phase: 'image' },
        );
      }
    }
  }
  try {
    await pullImage(docker, image, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof BootstrapError) throw error;
    // A lost connection to the engine is the engine's; anything the engine answered is about the registry.
    if (connectionErrorCode(error) !== undefined) throw wrap(error, `pulling image ${image}`);
    throw pullFailure(image, error);
  }
  return 'pulled';
}

// The pull is done when its progress stream ends; a failure is a line with `error` in it.
async function pullImage(docker: DockerApi, image: string, signal: AbortSignal): Promise<void> {
  const stream = await callUnlessAborted(
    signal,
    () => docker.pull(image, { abortSignal: signal }),
    destroyStream,
  );
  const stop = whenAborted(signal, () => destroyStream(stream));
  try {
    const failure = await raceAbort(firstPullError(stream), signal);
    if (failure === undefined) return;
    throw pullFailure(image, failure);
  } finally {
    stop();
  }
}

function firstPullError(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let rest = '';
    let failure: string | undefined;
    const onLine = (line: string) => {
      if (failure !== undefined || !line.trim()) return;
      try {
        const event = JSON.parse(line) as { error?: unknown; errorDetail?: { message?: unknown } };
        const message = event.errorDetail?.message ?? event.error;
        if (message !== undefined) failure = String(message);
      } catch {
        // A progress line that is not JSON says nothing about success.
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    stream.once('end', () => {
      onLine(rest);
      resolve(failure);
    });
    stream.once('error', reject);
  });
}
