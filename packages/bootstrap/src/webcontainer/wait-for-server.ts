import { abortedDuring, bounded } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { OutputCollector } from './output-collector.js';
import type { WebContainerInstance, WebContainerProcess } from './webcontainer-api.js';
import type { WebContainerServer } from './webcontainer-handle.js';

/** What the `ready` phase waits for, and for how long. */
export interface WaitForServerOptions {
  /** Only this port counts; its `port` open event is enough. Without it, any `server-ready` counts. */
  port?: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** The started process: exiting before the server is ready fails the phase. */
  started?: WebContainerProcess;
  output?: OutputCollector;
}

/** Resolves on `server-ready` (or the port opening); rejects on timeout, deadline, crash or early exit. */
export async function waitForServer(
  container: WebContainerInstance,
  options: WaitForServerOptions,
): Promise<WebContainerServer> {
  const { port, timeoutMs, started, output } = options;
  const unsubscribe: Array<() => void> = [];
  const ready = new Promise<WebContainerServer>((resolve, reject) => {
    unsubscribe.push(
      container.on('server-ready', (readyPort, url) => {
        if (port === undefined || readyPort === port) resolve({ port: readyPort, url });
      }),
      container.on('port', (openedPort, type, url) => {
        if (port !== undefined && openedPort === port && type === 'open') resolve({ port: openedPort, url });
      }),
      container.on('error', (error) =>
        reject(
          new BootstrapError('READINESS_FAILED', `the WebContainer reported: ${error.message}`, {
            phase: 'ready',
          }),
        ),
      ),
    );
    started?.exit.then(
      (code) =>
        reject(
          new BootstrapError(
            'READINESS_FAILED',
            `the start command exited with code ${code} before the server was ready${tail(output)}`,
            { phase: 'ready' },
          ),
        ),
      () => {},
    );
  });
  const what = port === undefined ? 'a server-ready event' : `port ${port} to open`;
  try {
    return await bounded(ready, {
      ms: timeoutMs,
      onTimeout: () =>
        new BootstrapError('READINESS_TIMEOUT', `waited ${timeoutMs} ms for ${what}${tail(output)}`, {
          retryable: true,
          phase: 'ready',
        }),
      signal: options.signal,
      onAbort: (reason) => abortedDuring('ready', reason),
    });
  } finally {
    for (const off of unsubscribe) off();
  }
}

function tail(output: OutputCollector | undefined): string {
  const text = output?.tail();
  return text ? `; its last output: ${text}` : '';
}
