import { describe, expect, it } from 'vitest';
import { readTar } from './tar-read.js';
import { buildTar } from './tar-write.js';

describe('buildTar', () => {
  it('streams a file under new directories; a reader that stops mid-file leaves no stray error', async () => {
    const data = Buffer.alloc(4 * 1024 * 1024, 7);
    const names: string[] = [];
    for await (const { header, body } of readTar(buildTar(['a', 'b'], { name: 'f', data, mode: 0o600 }))) {
      let size = 0;
      for await (const chunk of body) size += chunk.length;
      names.push(`${header.name}:${header.mode.toString(8)}:${size}`);
    }
    expect(names).toEqual(['a/:755:0', 'a/b/:755:0', 'a/b/f:600:4194304']);
    // A mode of 0 stays 0 (tar-stream would put its default in place of a falsy mode).
    for await (const { header } of readTar(buildTar([], { name: 'z', data, mode: 0 }))) {
      expect(header.mode).toBe(0);
    }
    // The engine's request aborted after the first chunk: the packer is destroyed while the file is in flight.
    const stream = buildTar([], { name: 'f', data, mode: 0o644 });
    for await (const _ of stream) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.destroyed).toBe(true);
  });
});
