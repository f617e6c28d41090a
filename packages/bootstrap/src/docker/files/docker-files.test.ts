import { describe, expect, it } from 'vitest';
import type { DockerContainerCreateOptions } from '../docker-api.js';
import { sandboxOnFake } from '../testing/sandbox-on-fake.js';
import { packEntries, type TarWriteHeader } from './tar-write.js';

const TAR_END = Buffer.alloc(1024);

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const chunk of body) out += Buffer.from(chunk).toString();
  return out;
}

const readOnly: Partial<DockerContainerCreateOptions> = {
  HostConfig: {
    ReadonlyRootfs: true,
    Mounts: [{ Type: 'volume', Source: '', Target: '/tmp' }],
  },
};

describe('DockerFiles', () => {
  it('writes a file into new directories through one archive upload to the nearest existing one', async () => {
    const { docker, container, sandbox } = await sandboxOnFake(readOnly);
    await sandbox.files.writeFile('/tmp/a/b/c.txt', Buffer.from('hello'), { mode: 0o600 });
    expect(docker.calls.filter((c) => c.startsWith('put-archive'))).toEqual(['put-archive sbx-1 /tmp']);
    expect(container.files.read('/tmp/a/b/c.txt')?.toString()).toBe('hello');
    const read = await sandbox.files.readFile('/tmp/a/b/c.txt');
    expect(read.stat).toMatchObject({ name: 'c.txt', type: 'file', size: 5, mode: 0o600 });
    expect(await text(read.body)).toBe('hello');
  });

  it('refuses what it must before any upload: sizes over the cap, relative paths, a directory as a file', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    await expect(sandbox.files.writeFile('/tmp/x', Buffer.alloc(11), { maxBytes: 10 })).rejects.toMatchObject(
      {
        code: 'FILE_TOO_LARGE',
      },
    );
    await expect(sandbox.files.writeFile('tmp/x', Buffer.alloc(1))).rejects.toMatchObject({
      code: 'INVALID_SPEC',
    });
    await expect(sandbox.files.writeFile('/tmp', Buffer.alloc(1))).rejects.toMatchObject({
      code: 'INVALID_SPEC',
    });
    expect(docker.calls.some((c) => c.startsWith('put-archive'))).toBe(false);
  });

  it('an archive that is corrupt, too big in entries or writes through its own symlink uploads nothing', async () => {
    const { docker, container, sandbox } = await sandboxOnFake(readOnly);
    const entry = (name: string, extra: Partial<TarWriteHeader> = {}) =>
      packEntries([{ name, type: 'file', mode: 0o644, mtimeMs: 0, ...extra }], { end: false });
    const corrupt = Buffer.concat([await entry('a'), TAR_END]);
    corrupt.write('9          ', 124, 'latin1');
    for (const [tar, options, code] of [
      [corrupt, {}, 'INVALID_SPEC'],
      [
        Buffer.concat([await entry('l', { type: 'symlink', linkName: '/etc' }), await entry('l/x'), TAR_END]),
        {},
        'INVALID_SPEC',
      ],
      [
        Buffer.concat([await entry('a'), await entry('b'), await entry('c'), TAR_END]),
        { maxEntries: 2 },
        'FILE_TOO_LARGE',
      ],
    ] as const) {
      await expect(sandbox.files.writeTar('/tmp/up', tar, options)).rejects.toMatchObject({ code });
    }
    expect(docker.calls.filter((c) => c.startsWith('put-archive'))).toEqual([]);
    // A good one goes up in one call, its entries' parents first.
    await sandbox.files.writeTar('/tmp', Buffer.concat([await entry('p/q/r.txt'), TAR_END]));
    expect(docker.calls.filter((c) => c.startsWith('put-archive'))).toEqual(['put-archive sbx-1 /tmp']);
    expect(container.files.read('/tmp/p/q/r.txt')?.toString()).toBe('');
  });

  it('a read-only rootfs takes writes only in its volume; elsewhere READ_ONLY_PATH', async () => {
    const { sandbox } = await sandboxOnFake(readOnly);
    await expect(sandbox.files.writeFile('/etc/passwd', Buffer.from('x'))).rejects.toMatchObject({
      code: 'READ_ONLY_PATH',
    });
  });

  it('a missing file is FILE_NOT_FOUND; a removed container is SANDBOX_GONE', async () => {
    const { container, sandbox } = await sandboxOnFake();
    await expect(sandbox.files.readFile('/tmp/none')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await sandbox.files.stat('/tmp/none')).toBeUndefined();
    await container.remove({ force: true });
    await expect(sandbox.files.stat('/tmp/none')).rejects.toMatchObject({ code: 'SANDBOX_GONE' });
  });

  it('lists the direct children of a directory, at most maxEntries', async () => {
    const { sandbox } = await sandboxOnFake();
    for (const name of ['a', 'b', 'c']) await sandbox.files.writeFile(`/tmp/d/${name}`, Buffer.from(name));
    await sandbox.files.writeFile('/tmp/d/sub/deep', Buffer.from('x'));
    const all = await sandbox.files.list('/tmp/d');
    expect(all.entries.map((e) => `${e.name}:${e.type}`)).toEqual([
      'a:file',
      'b:file',
      'c:file',
      'sub:directory',
    ]);
    expect(all.truncated).toBe(false);
    const some = await sandbox.files.list('/tmp/d', { maxEntries: 2 });
    expect(some).toMatchObject({ truncated: true });
    expect(some.entries).toHaveLength(2);
  });

  it('reads the log so far without follow', async () => {
    const { container, sandbox } = await sandboxOnFake();
    container.print('one\n');
    container.print('two\n', 2);
    const seen: string[] = [];
    const result = await sandbox.logs({
      maxOutputBytes: 3,
      onOutput: (stream, chunk) => seen.push(`${stream}:${Buffer.from(chunk).toString()}`),
    });
    expect(seen).toEqual(['stdout:one', 'stderr:two']);
    expect(result.truncated).toBe(true);
  });
});
