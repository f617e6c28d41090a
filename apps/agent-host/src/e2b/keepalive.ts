import type { HandlerContext } from '@connectrpc/connect';

/** envd's interval when the client names none (or a bad one): 90 s. */
export const DEFAULT_KEEPALIVE_S = 90;
const MAX_KEEPALIVE_S = 86_400;

/** The client's `Keepalive-Ping-Interval` (whole seconds, 1 s to a day) in ms; envd's 90 s otherwise. */
export function keepaliveIntervalMs(headers: Headers): number {
  const text = headers.get('keepalive-ping-interval') ?? '';
  const seconds = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  const ok = Number.isSafeInteger(seconds) && seconds >= 1 && seconds <= MAX_KEEPALIVE_S;
  return (ok ? seconds : DEFAULT_KEEPALIVE_S) * 1000;
}

/**
 * Passes a server stream on, and yields `keepalive()` whenever it has been quiet for the client's
 * `Keepalive-Ping-Interval` (as envd does: the timer restarts at every message), so proxies that cut idle
 * connections leave a long command or watch alone.
 */
export async function* keptAlive<T>(
  ctx: Pick<HandlerContext, 'requestHeader'>,
  source: AsyncIterable<T>,
  keepalive: () => T,
): AsyncGenerator<T> {
  const intervalMs = keepaliveIntervalMs(ctx.requestHeader);
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let done = false;
  try {
    for (;;) {
      pending ??= it.next();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = new Promise<'tick'>((resolve) => {
        timer = setTimeout(() => resolve('tick'), intervalMs);
      });
      const next = await Promise.race([pending, tick]).finally(() => clearTimeout(timer));
      if (next === 'tick') {
        yield keepalive();
        continue;
      }
      pending = undefined;
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A caller gone mid-wait: the source ends on the call's abort; its own cleanup runs once it does.
    if (!done) {
      if (pending)
        void pending
          .then(
            () => it.return?.(),
            () => {},
          )
          .catch(() => {});
      else await it.return?.();
    }
  }
}
