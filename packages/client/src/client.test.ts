import { isSbxError, SbxClient, SbxError } from '@sbx/client';
import { describe, expect, it } from 'vitest';
import { fromBase64, readNdjson } from './ndjson.js';

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

const fakeFetch = (status: number, body: string, seen: Request[] = []): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(new Request(input, init));
    return new Response(body, { status });
  }) as typeof fetch;

describe('@sbx/client', () => {
  it('reads NDJSON lines split anywhere across chunks', async () => {
    const lines: unknown[] = [];
    for await (const line of readNdjson(streamOf('{"a":', '1}\n{"b"', ':2}\n', '{"c":3}'))) lines.push(line);
    expect(lines).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('decodes base64 without Buffer', () => {
    const bytes = Uint8Array.from([0, 255, 128, 65, 66]);
    expect([...fromBase64(btoa(String.fromCharCode(...bytes)))]).toEqual([...bytes]);
  });

  it("raises the server's error code and status as SbxError, and sends the bearer token", async () => {
    const seen: Request[] = [];
    const sbx = new SbxClient({
      baseUrl: 'http://127.0.0.1:7070/',
      token: 't0k3n',
      fetch: fakeFetch(
        410,
        JSON.stringify({ error: { code: 'SANDBOX_GONE', message: 'gone (idle)' } }),
        seen,
      ),
    });
    const error = await sbx.sandboxes
      .get('box')
      .info()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SbxError);
    expect(error).toMatchObject({ code: 'SANDBOX_GONE', status: 410, message: 'gone (idle)' });
    expect(seen[0]?.url).toBe('http://127.0.0.1:7070/v1/sandboxes/box');
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer t0k3n');
    // kill() is idempotent: a gone sandbox counts as killed.
    await expect(sbx.sandboxes.get('box').kill()).resolves.toBeUndefined();
  });

  it('an answer that is not the API is BAD_RESPONSE; no host is UNREACHABLE', async () => {
    const html = new SbxClient({
      baseUrl: 'http://x',
      token: 't',
      fetch: fakeFetch(502, '<html>proxy</html>'),
    });
    expect(isSbxError(await html.sandboxes.list().catch((e: unknown) => e), 'BAD_RESPONSE')).toBe(true);
    const down = new SbxClient({
      baseUrl: 'http://x',
      token: 't',
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    expect(await down.sandboxes.list().catch((e: unknown) => e)).toMatchObject({
      code: 'UNREACHABLE',
      status: 0,
    });
  });

  it('an exec stream that ends without its exit line is STREAM_ENDED', async () => {
    const sbx = new SbxClient({
      baseUrl: 'http://x',
      token: 't',
      fetch: fakeFetch(200, '{"stream":"stdout","data":"hi"}\n'),
    });
    const seen: string[] = [];
    const error = await sbx.sandboxes
      .get('b')
      .exec('echo hi', { onStdout: (t) => seen.push(t) })
      .catch((e: unknown) => e);
    expect(seen).toEqual(['hi']);
    expect(error).toMatchObject({ code: 'STREAM_ENDED' });
  });
});
