import { callUnlessAborted, raceAbort, whenAborted } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { DockerApi } from './docker-api.js';
import { engineMessage, isNotFound, wrapDockerError } from './docker-error.js';
import { destroyStream } from './docker-stream.js';

/** Where a sandbox's image came from: already on the engine, or pulled for it. */
export type ImageSource = 'local' | 'pulled';

// What registries answer, in the pull stream, for an image that does not exist or is not ours to pull.
const MISSING_IMAGE = /not found|manifest unknown|does not exist|pull access denied|repository .* not exist/i;

/** Makes `image` present on the engine as `pull` allows, and says whether it was local or pulled. */
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
          `image ${image} is not present on the engine and spec.pull is 'never' - build or pull it first, or allow pull: 'missing'`,
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
    const wrapped = wrap(error, `pulling image ${image}`);
    if (wrapped.code !== 'PULL_FAILED') throw wrapped;
    // The engine answers 500 when the registry is unreachable: that can pass; a missing image will not.
    const missing = MISSING_IMAGE.test(engineMessage(error));
    throw new BootstrapError(missing ? 'IMAGE_NOT_FOUND' : 'PULL_FAILED', wrapped.message, {
      cause: error,
      phase: 'image',
      retryable: !missing,
    });
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
    const missing = MISSING_IMAGE.test(failure);
    throw new BootstrapError(
      missing ? 'IMAGE_NOT_FOUND' : 'PULL_FAILED',
      `pulling image ${image} failed: ${failure}`,
      // A registry that is down or unreachable may answer later; a missing image will not appear.
      { phase: 'image', retryable: !missing },
    );
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
