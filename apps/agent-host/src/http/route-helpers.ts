import type { Context } from 'hono';
import type { HostSandbox } from '../core/host-adapter.js';
import { AgentHostError } from '../errors.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { errorBody, toHttpError } from './http-errors.js';

/** A live sandbox of the caller, or the answer to give instead (404 unknown or another tenant's, 410 gone). */
export function findSandbox(
  deps: { service: SandboxService },
  id: string,
  tenant: string,
): { sandbox: HostSandbox } | { status: 404 | 410; body: ReturnType<typeof errorBody> } {
  const found = deps.service.find(id, tenant);
  if (found.state === 'live') return { sandbox: found.sandbox };
  if (found.state === 'gone') {
    return { status: 410, body: errorBody('SANDBOX_GONE', `sandbox ${id} is gone (${found.reason})`) };
  }
  return { status: 404, body: errorBody('NOT_FOUND', `no live sandbox ${id}`) };
}

/** The JSON error answer of a failed call (with `Retry-After` where waiting helps). */
export function failure(c: Context, error: unknown) {
  const { status, body } = toHttpError(error);
  if (error instanceof AgentHostError && error.code === 'TOO_MANY_SANDBOXES') c.header('Retry-After', '5');
  if (
    error instanceof AgentHostError &&
    (error.code === 'TOO_MANY_TRANSFERS' || error.code === 'TOO_MANY_CONCURRENT')
  ) {
    c.header('Retry-After', '1');
  }
  return c.json(body, status);
}

/** True when the client asked for `type` in its `Accept` header. */
export function accepts(c: Context, type: string): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes(type);
}

/** A web stream over an async iterable, pulled as the client reads; a cancel ends the iterable (its cleanup runs). */
export function toWebStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
