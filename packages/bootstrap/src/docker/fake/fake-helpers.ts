// Small pieces the fake engine and its tests share (`deferred` stays internal: not in `@sbx/bootstrap/testing`).

/** What one exec in the fake produces. */
export interface FakeExecResult {
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

/** An error shaped like docker-modem's for an HTTP status. */
export function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
}

/** An error shaped like Node's for a socket that cannot be reached. */
export function connectionError(code: string, address = '/var/run/docker.sock'): Error {
  return Object.assign(new Error(`connect ${code} ${address}`), { code, syscall: 'connect', address });
}

/** One multiplexed frame (stream 1 = stdout, 2 = stderr). */
export function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** A promise a test resolves or rejects when it wants. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
