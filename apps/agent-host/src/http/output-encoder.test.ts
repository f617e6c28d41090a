import { describe, expect, it } from 'vitest';
import { OutputEncoder } from './output-encoder.js';

describe('OutputEncoder', () => {
  it('sends UTF-8 text as text, holding a character split across chunks until it is whole', () => {
    const encoder = new OutputEncoder();
    const euro = Buffer.from('€'); // 3 bytes
    expect(encoder.push('stdout', Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]))).toEqual([
      { stream: 'stdout', data: 'a' },
    ]);
    expect(encoder.push('stdout', euro.subarray(1, 2))).toEqual([]);
    expect(encoder.push('stdout', Buffer.concat([euro.subarray(2), Buffer.from('b')]))).toEqual([
      { stream: 'stdout', data: '€b' },
    ]);
    expect(encoder.flush()).toEqual([]);
  });

  it('sends bytes that are not UTF-8 as base64, and says so', () => {
    const encoder = new OutputEncoder();
    const binary = Buffer.from([0xff, 0x00, 0x80, 0x41]);
    expect(encoder.push('stderr', binary)).toEqual([
      { stream: 'stderr', data: binary.toString('base64'), encoding: 'base64' },
    ]);
    // A lead byte left at the very end is flushed as what it is: not text.
    expect(encoder.push('stdout', Buffer.from([0xe2]))).toEqual([]);
    expect(encoder.flush()).toEqual([{ stream: 'stdout', data: '4g==', encoding: 'base64' }]);
  });
});
