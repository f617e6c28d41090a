import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME, FrameDecoder, jsonPayload, MAX_FRAME_BYTES } from './frame-codec.js';

describe('frame codec', () => {
  it('round-trips frames however the bytes are split', () => {
    const bytes = Buffer.concat([
      encodeFrame(FRAME.open, { v: 1, op: 'hello' }),
      encodeFrame(FRAME.stdout, Buffer.from('hi\n')),
      encodeFrame(FRAME.stdinEof),
    ]);
    for (const step of [1, 2, 5, 7, bytes.length]) {
      const decoder = new FrameDecoder();
      const frames = [];
      for (let at = 0; at < bytes.length; at += step)
        frames.push(...decoder.push(bytes.subarray(at, at + step)));
      expect(frames.map((f) => f.kind)).toEqual([FRAME.open, FRAME.stdout, FRAME.stdinEof]);
      expect(jsonPayload(frames[0] as never)).toEqual({ v: 1, op: 'hello' });
      expect(Buffer.from(frames[1]?.payload ?? []).toString()).toBe('hi\n');
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('refuses a length over 1 MiB from its header alone, before buffering the payload', () => {
    const header = Buffer.alloc(5);
    header.writeUInt8(FRAME.stdout, 0);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 1);
    expect(() => new FrameDecoder().push(header)).toThrow(/over 1 MiB/);
    const exact = Buffer.alloc(5);
    exact.writeUInt8(FRAME.data, 0);
    exact.writeUInt32BE(MAX_FRAME_BYTES, 1);
    expect(new FrameDecoder().push(exact)).toEqual([]);
  });

  it('refuses unknown kinds and JSON that is not an object of at most 64 KiB', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0, 0]))).toThrow(/unknown frame kind 0/);
    expect(() => new FrameDecoder().push(Buffer.from([12, 0, 0, 0, 0]))).toThrow(/unknown frame kind 12/);
    for (const text of ['nope', '[1]', 'null', '"x"', `{"a":"${'x'.repeat(64 * 1024)}"}`]) {
      expect(() => jsonPayload({ kind: FRAME.end, payload: Buffer.from(text) })).toThrow(/AGENT|agent/);
    }
  });

  it('will not encode a JSON payload over 64 KiB or bytes over 1 MiB', () => {
    expect(() => encodeFrame(FRAME.open, { big: 'x'.repeat(64 * 1024) })).toThrow(/over 65536/);
    expect(() => encodeFrame(FRAME.data, new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(/over 1048576/);
  });
});
