import { SbxError } from './errors.js';

/** How the client reaches the host. */
export interface Transport {
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
}

/** Options of one call. */
export interface CallOptions {
  method?: string;
  /** JSON-encoded unless it is bytes or a stream of bytes (sent as `contentType`). */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal | undefined;
}

/** Sends one request; a non-2xx answer throws `SbxError` with the server's code. */
export async function call(transport: Transport, path: string, options: CallOptions = {}): Promise<Response> {
  const stream = typeof ReadableStream !== 'undefined' && options.body instanceof ReadableStream;
  const raw = options.body instanceof Uint8Array || options.body instanceof Blob || stream;
  const headers: Record<string, string> = { authorization: `Bearer ${transport.token}` };
  if (options.accept) headers.accept = options.accept;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  let response: Response;
  try {
    response = await transport.fetch(`${transport.baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body === undefined
        ? {}
        : { body: raw ? (options.body as BodyInit) : JSON.stringify(options.body) }),
      // A streamed body is sent as it is read (fetch needs to be told; browsers may refuse it over HTTP/1.1).
      ...(stream ? { duplex: 'half' } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw new SbxError('ABORTED', 'the call was aborted', { cause: error });
    throw new SbxError(
      'UNREACHABLE',
      `cannot reach the sbx host at ${transport.baseUrl}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** Sends one request and reads its JSON answer. */
export async function callJson<T>(transport: Transport, path: string, options: CallOptions = {}): Promise<T> {
  const response = await call(transport, path, options);
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new SbxError('BAD_RESPONSE', `${path} did not answer JSON`, {
      status: response.status,
      cause: error,
    });
  }
}

async function errorOf(response: Response): Promise<SbxError> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string; issues?: [] } };
    return new SbxError(error.code, error.message, {
      status: response.status,
      ...(error.issues ? { issues: error.issues } : {}),
    });
  } catch {
    return new SbxError('BAD_RESPONSE', `HTTP ${response.status}: ${text.slice(0, 200)}`, {
      status: response.status,
    });
  }
}
