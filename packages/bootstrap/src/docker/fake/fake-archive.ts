// The filesystem of a container in the fake engine, reached through the archive API. Like the real engine, a
// read-only rootfs refuses every write but those into a volume (`Tmpfs` is refused; a `tmpfs` mount is refused
// here, where Docker 20.10 writes beneath it, out of the container's sight). Not built into dist.
import { posix } from 'node:path';
import type { DockerContainerCreateOptions } from '../docker-api.js';
import { encodePathStat } from '../files/sandbox-path.js';
import { readTar } from '../files/tar-read.js';
import { packEntries, type TarWriteHeader } from '../files/tar-write.js';
import { httpError } from './fake-helpers.js';

interface Node {
  type: 'file' | 'directory';
  data: Buffer;
  mode: number;
  mtimeMs: number;
}

/** A container's files in the fake engine. */
export class FakeFileSystem {
  readonly #nodes = new Map<string, Node>();
  readonly #config: DockerContainerCreateOptions;

  constructor(config: DockerContainerCreateOptions) {
    this.#config = config;
    for (const dir of ['/', '/tmp', '/etc']) this.#nodes.set(dir, node('directory', 0o755));
  }

  /** The bytes of a file, for tests. */
  read(path: string): Buffer | undefined {
    return this.#nodes.get(path)?.data;
  }

  /** `HEAD /archive`: the path's stat header, 404 when missing. */
  info(path: string): { headers: Record<string, unknown> } {
    const found = this.#get(path);
    const stat = {
      name: posix.basename(path) || '/',
      type: found.type,
      size: found.data.length,
      mode: found.mode,
    };
    return {
      headers: { 'x-docker-container-path-stat': encodePathStat({ ...stat, mtimeMs: found.mtimeMs }) },
    };
  }

  /** `PUT /archive`: unpacks a tar into the directory `path`. */
  async put(path: string, tar: Buffer): Promise<void> {
    if (this.#get(path).type !== 'directory') throw httpError(400, 'extraction point is not a directory');
    if (!this.#writable(path)) throw httpError(500, 'container rootfs is marked read-only');
    const written: Array<[string, Node]> = [];
    try {
      for await (const { header, body } of readTar([tar])) {
        const current = node(header.type === 'directory' ? 'directory' : 'file', header.mode);
        const target = posix.join(path, header.name);
        if (header.type === 'directory' || header.type === 'file')
          written.push([target.replace(/(.)\/$/, '$1'), current]);
        for await (const chunk of body) current.data = Buffer.concat([current.data, chunk]);
      }
    } catch (error) {
      throw httpError(400, (error as Error).message);
    }
    for (const [target, entry] of written) this.#nodes.set(target, entry);
  }

  /** `GET /archive`: a tar of `path` under its base name. */
  async get(path: string): Promise<Buffer> {
    const found = this.#get(path);
    const base = posix.basename(path) || '.';
    const entries: Array<TarWriteHeader & { data: Buffer }> = [];
    const add = (name: string, entry: Node) =>
      entries.push({ name, type: entry.type, mode: entry.mode, mtimeMs: entry.mtimeMs, data: entry.data });
    add(found.type === 'directory' ? `${base}/` : base, found);
    if (found.type === 'directory') {
      const prefix = path === '/' ? '/' : `${path}/`;
      for (const [child, entry] of [...this.#nodes].sort(([a], [b]) => a.localeCompare(b))) {
        if (child.startsWith(prefix) && child !== path) add(`${base}/${child.slice(prefix.length)}`, entry);
      }
    }
    return packEntries(entries);
  }

  #get(path: string): Node {
    const found = this.#nodes.get(path);
    if (!found) throw httpError(404, `Could not find the file ${path} in container`);
    return found;
  }

  #writable(path: string): boolean {
    if (!this.#config.HostConfig?.ReadonlyRootfs) return true;
    return (this.#config.HostConfig.Mounts ?? []).some(
      (m) => m.Type === 'volume' && (path === m.Target || path.startsWith(`${m.Target}/`)),
    );
  }
}

function node(type: Node['type'], mode: number): Node {
  return { type, data: Buffer.alloc(0), mode, mtimeMs: Date.now() };
}
