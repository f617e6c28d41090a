// Test helpers: the config an app under test reads, and JSON requests to it.
import { defaultPolicy, type SandboxPolicy } from '../../core/sandbox-policy.js';

/** The host config `createApp()` reads, over an in-memory database and the given policy. */
export function testConfig(policy: SandboxPolicy = defaultPolicy(2)) {
  return { dbPath: ':memory:', dockerHost: undefined, engineAddress: '-', policy };
}

/** Sends `body` as JSON (a string as it is, for malformed JSON) to `app` with `method` and `path`. */
export function jsonRequest(app: {
  request: (path: string, init: RequestInit) => Response | Promise<Response>;
}) {
  return (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
}
