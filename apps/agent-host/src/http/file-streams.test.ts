import { describe, expect, it } from 'vitest';
import { exactly, releasing } from './file-streams.js';
import { TransferLimiter } from './transfer-limiter.js';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const chunk of body) out += Buffer.from(chunk).toString();
  return out;
}

describe('file transfer streams', () => {
  it('a download sends exactly its stated length: a file that grew is cut, one that shrank fails', async () => {
    expect(await text(exactly(chunks('abc', 'def'), 6, '/f'))).toBe('abcdef');
    expect(await text(exactly(chunks('abc', 'defgh', 'ij'), 4, '/f'))).toBe('abcd');
    expect(await text(exactly(chunks(), 0, '/f'))).toBe('');
    await expect(text(exactly(chunks('ab'), 6, '/f'))).rejects.toMatchObject({
      code: 'FILE_CHANGED',
      message: '/f shrank from 6 to 2 bytes while it was read - read it again',
    });
  });

  it('a place is given back once, whether the stream ends, fails or its reader stops', async () => {
    const limiter = new TransferLimiter({ perTenant: 1, total: 5 });
    await text(releasing(chunks('a'), limiter.reserve('t')));
    expect(limiter.running).toBe(0);
    await expect(text(releasing(exactly(chunks('a'), 2, '/f'), limiter.reserve('t')))).rejects.toThrow();
    expect(limiter.running).toBe(0);
    const body = releasing(chunks('a', 'b'), limiter.reserve('t'));
    for await (const _ of body) break;
    expect(limiter.running).toBe(0);
  });

  it('caps transfers per tenant and in all with 429s that say what to do', () => {
    const limiter = new TransferLimiter({ perTenant: 2, total: 3 });
    const a1 = limiter.reserve('a');
    limiter.reserve('a');
    expect(() => limiter.reserve('a')).toThrow(
      expect.objectContaining({
        code: 'TOO_MANY_TRANSFERS',
        message: expect.stringMatching(/2 file transfers per tenant/),
      }),
    );
    limiter.reserve('b');
    expect(() => limiter.reserve('c')).toThrow(/at most 3 file transfers at once/);
    a1();
    a1();
    expect(limiter.running).toBe(2);
    expect(() => limiter.reserve('c')).not.toThrow();
  });
});
