import { describe, expect, it } from 'vitest';
import { splitCommand } from './shell-words.js';

describe('splitCommand', () => {
  it('splits on whitespace and keeps quoted words whole', () => {
    expect(splitCommand(`sh -c 'echo ready; sleep 3600'`)).toEqual(['sh', '-c', 'echo ready; sleep 3600']);
    expect(splitCommand(`echo "a \\"b\\" c"   d`)).toEqual(['echo', 'a "b" c', 'd']);
    expect(splitCommand(`printf a\\ b ''`)).toEqual(['printf', 'a b', '']);
  });

  it('returns no words for blank input and refuses an unterminated quote', () => {
    expect(splitCommand('   ')).toEqual([]);
    expect(() => splitCommand(`echo 'oops`)).toThrow(/unterminated ' quote/);
  });
});
