// Sandbox files on the real engine: through the archive API, inside the container, on a read-only rootfs.
import { randomBytes } from 'node:crypto';
import { DockerAdapter, type DockerSandbox } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { docker, removeContainersOf, requireEngine, skipWithoutEngine } from '../testing/real-engine.js';
import { encodeHeader, padding, TAR_END } from './tar-header.js';
import { TarParser } from './tar-parser.js';

const RUN = `int-files-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };
const adapter = new DockerAdapter({ docker, owner: RUN, logger: silent });

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function untar(bytes: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let name = '';
  const parser = new TarParser({
    onEntry: (h) => {
      name = h.name;
      out[name] = h.type === 'directory' ? '<dir>' : '';
    },
    onData: (c) => {
      out[name] += c.toString();
    },
  });
  parser.push(bytes);
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
    const entry = (name: string, text: string) => {
      const data = Buffer.from(text);
      return [
        encodeHeader({ name, type: 'file', size: data.length, mode: 0o644, mtimeMs: Date.now() }),
        data,
        padding(data.length),
      ];
    };
    const tar = Buffer.concat([...entry('a.txt', 'alpha'), ...entry('sub/b.txt', 'beta'), TAR_END]);
    await box.files.writeTar('/tmp/proj', tar);
    expect(untar(await collect(await box.files.readTar('/tmp/proj')))).toEqual({
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
