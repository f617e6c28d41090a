// Sandbox files on the real engine: through the archive API, inside the container, on a read-only rootfs.
import { randomBytes } from 'node:crypto';
import { DockerAdapter, type DockerSandbox } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paxRecord, rawEntry, TAR_END } from '../testing/raw-tar.js';
import { docker, removeContainersOf, requireEngine, skipWithoutEngine } from '../testing/real-engine.js';
import { readTar } from './tar-read.js';
import { packEntries } from './tar-write.js';

const RUN = `int-files-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };
const adapter = new DockerAdapter({ docker, owner: RUN, logger: silent });

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function untar(bytes: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const { header, body } of readTar([bytes])) {
    out[header.name] = header.type === 'directory' ? '<dir>' : '';
    for await (const c of body) out[header.name] += Buffer.from(c).toString();
  }
  return out;
}

describe.skipIf(skipWithoutEngine)('sandbox files on the real engine', () => {
  let box: DockerSandbox;
  beforeAll(async () => {
    requireEngine();
    const { value } = await new SandboxProvisioner({ logger: silent }).provision({
      type: 'docker',
      bootstrapFn: (ctx) =>
        adapter.provision(
          { image: DOCKER_TEST_IMAGE, pull: 'never', cmd: ['sleep', '3600'], readOnlyRootfs: true },
          ctx,
        ),
    });
    box = value;
  });
  beforeEach(requireEngine);
  afterAll(async () => {
    await box?.dispose();
    await removeContainersOf(RUN);
  });

  it('a 10 MiB file round-trips byte-exact into a new directory of the read-only sandbox /tmp', async () => {
    const data = randomBytes(10 * 1024 * 1024);
    await box.files.writeFile('/tmp/deep/er/blob.bin', data, { mode: 0o600 });
    const read = await box.files.readFile('/tmp/deep/er/blob.bin');
    expect(read.stat).toMatchObject({ type: 'file', size: data.length, mode: 0o600 });
    expect((await collect(read.body)).equals(data)).toBe(true);
    const listed = await box.exec(['sh', '-c', 'ls -ln /tmp/deep/er; wc -c < /tmp/deep/er/blob.bin']);
    expect(listed).toMatchObject({ exitCode: 0, stderr: '' });
    expect(listed.stdout).toContain(String(data.length));
  });

  it('refuses a write on the read-only rootfs, and a read of a missing file', async () => {
    await expect(box.files.writeFile('/etc/nope', Buffer.from('x'))).rejects.toMatchObject({
      code: 'READ_ONLY_PATH',
    });
    await expect(box.files.readFile('/tmp/missing')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await box.files.stat('/tmp/missing')).toBeUndefined();
    await expect(box.files.readFile('relative')).rejects.toMatchObject({ code: 'INVALID_SPEC' });
  });

  it('a directory round-trips as a tar with names relative to it, and lists its entries', async () => {
    const entry = (name: string, text: string) =>
      ({ name, type: 'file', mode: 0o644, mtimeMs: Date.now(), data: Buffer.from(text) }) as const;
    const tar = await packEntries([entry('a.txt', 'alpha'), entry('sub/b.txt', 'beta')]);
    await box.files.writeTar('/tmp/proj', tar);
    expect(await untar(await collect(await box.files.readTar('/tmp/proj')))).toEqual({
      'a.txt': 'alpha',
      'sub/': '<dir>',
      'sub/b.txt': 'beta',
    });
    const { entries, truncated } = await box.files.list('/tmp/proj');
    expect(truncated).toBe(false);
    expect(entries.map((e) => [e.name, e.type]).sort()).toEqual([
      ['a.txt', 'file'],
      ['sub', 'directory'],
    ]);
    await expect(box.files.writeTar('/tmp/proj', Buffer.from('not a tar'))).rejects.toMatchObject({
      code: 'INVALID_SPEC',
    });
  });

  it('an archive whose entry names the checks and the engine would read apart writes nothing', async () => {
    // The engine (Go's archive/tar) names the last entry `l/pwned-N`, through the symlink `l` -> /etc: a
    // GNU long name wins over a PAX path, and a global header ends the records before it.
    const records = [
      [await rawEntry('L', 'L', 'l/pwned-0'), await rawEntry('x', 'x', paxRecord('path', 'safe'))],
      [
        await rawEntry('x', 'x', paxRecord('path', 'safe')),
        await rawEntry('g', 'g', paxRecord('comment', 'c')),
      ],
      [await rawEntry('L', 'L', 'safe'), await rawEntry('g', 'g', paxRecord('comment', 'c'))],
    ];
    for (const [i, before] of records.entries()) {
      const tar = Buffer.concat([
        await rawEntry('l', '2', '', '/etc'),
        ...before,
        await rawEntry(`l/pwned-${i}`, '0', 'pwned'),
        TAR_END,
      ]);
      await expect(box.files.writeTar(`/tmp/apart-${i}`, tar)).rejects.toMatchObject({
        code: 'INVALID_SPEC',
      });
    }
    const etc = await box.exec(['sh', '-c', 'ls /etc']);
    expect(etc).toMatchObject({ exitCode: 0 });
    expect(etc.stdout).not.toContain('pwned');
  });

  it('reads the container output with and without follow', async () => {
    const chunks: string[] = [];
    const logBox = await new SandboxProvisioner({ logger: silent }).provision({
      type: 'docker',
      bootstrapFn: (ctx) =>
        adapter.provision(
          {
            image: DOCKER_TEST_IMAGE,
            pull: 'never',
            cmd: ['sh', '-c', 'echo one; echo two >&2; sleep 1; echo three'],
            ready: { kind: 'log', pattern: 'two' },
          },
          ctx,
        ),
    });
    const sandbox = logBox.value;
    try {
      await sandbox.logs({ onOutput: (s, c) => chunks.push(`${s}:${Buffer.from(c).toString()}`) });
      // The engine copies stdout and stderr on their own: the order across the two streams is not kept.
      expect(chunks.sort()).toEqual(['stderr:two\n', 'stdout:one\n']);
      chunks.length = 0;
      await sandbox.logs({
        follow: true,
        onOutput: (s, c) => chunks.push(`${s}:${Buffer.from(c).toString()}`),
      });
      expect(chunks.sort()).toEqual(['stderr:two\n', 'stdout:one\n', 'stdout:three\n']);
    } finally {
      await sandbox.dispose();
    }
  });
});
