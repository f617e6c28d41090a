import { posix } from 'node:path';

/** One node of the fake agent's in-memory filesystem. */
export interface FakeNode {
  type: 'file' | 'directory';
  data: Uint8Array;
  mode: number;
  mtimeMs: number;
}

/** A failure the fake agent answers with an `error` frame. */
export class FakeAgentFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Change = { type: 'create' | 'write' | 'remove' | 'rename'; path: string; isDir: boolean };

/** The in-memory filesystem of a `FakeAgentServer` (root `/` always there); watchers see every change. */
export class FakeFileSystem {
  readonly nodes = new Map<string, FakeNode>([['/', dir(0o755)]]);
  readonly #watchers = new Set<(change: Change) => void>();

  /** The node at `path` or a `NOT_FOUND` failure. */
  get(path: string): FakeNode {
    const node = this.nodes.get(posix.normalize(path));
    if (!node) throw new FakeAgentFailure('NOT_FOUND', `${path}: no such file or directory`);
    return node;
  }

  /** The agent's stat of `path`. */
  stat(path: string) {
    const at = posix.normalize(path);
    const node = this.get(at);
    return {
      name: posix.basename(at) || '/',
      path: at,
      type: node.type,
      size: node.type === 'file' ? node.data.byteLength : 4096,
      mode: node.mode,
      mtimeMs: node.mtimeMs,
    };
  }

  /** The entries under `path`, depth-first, at most `max`. */
  list(path: string, depth: number, max: number) {
    if (this.get(path).type !== 'directory')
      throw new FakeAgentFailure('NOT_A_DIRECTORY', `${path}: not a directory`);
    const entries: ReturnType<FakeFileSystem['stat']>[] = [];
    const walk = (at: string, level: number): boolean => {
      for (const child of this.#children(at)) {
        if (entries.length >= max) return true;
        entries.push(this.stat(child));
        if (level < depth && this.get(child).type === 'directory' && walk(child, level + 1)) return true;
      }
      return false;
    };
    return { entries, truncated: walk(posix.normalize(path), 1) };
  }

  /** `mkdir -p`; true when it created the directory. */
  mkdir(path: string, mode = 0o755): boolean {
    const at = posix.normalize(path);
    const existing = this.nodes.get(at);
    if (existing) {
      if (existing.type !== 'directory')
        throw new FakeAgentFailure('NOT_A_DIRECTORY', `${path}: a file is in the way`);
      return false;
    }
    this.mkdir(posix.dirname(at));
    this.nodes.set(at, dir(mode));
    this.#tell({ type: 'create', path: at, isDir: true });
    return true;
  }

  /** Writes (or appends to) the file at `path`, parents created. */
  write(path: string, data: Uint8Array, mode = 0o644, append = false): number {
    const at = posix.normalize(path);
    this.mkdir(posix.dirname(at));
    const old = this.nodes.get(at);
    if (old?.type === 'directory') throw new FakeAgentFailure('IS_A_DIRECTORY', `${path}: is a directory`);
    const bytes = append && old ? Buffer.concat([old.data, data]) : Uint8Array.from(data);
    this.nodes.set(at, { type: 'file', data: bytes, mode, mtimeMs: Date.now() });
    this.#tell({ type: old ? 'write' : 'create', path: at, isDir: false });
    return bytes.byteLength;
  }

  /** Removes `path` and everything under it. */
  remove(path: string): void {
    const at = posix.normalize(path);
    const node = this.get(at);
    for (const key of [...this.nodes.keys()]) if (key.startsWith(`${at}/`)) this.nodes.delete(key);
    this.nodes.delete(at);
    this.#tell({ type: 'remove', path: at, isDir: node.type === 'directory' });
  }

  /** Renames `from` to `to` (parents of `to` created). */
  move(from: string, to: string): void {
    const [a, b] = [posix.normalize(from), posix.normalize(to)];
    const node = this.get(a);
    this.mkdir(posix.dirname(b));
    for (const [key, value] of [...this.nodes]) {
      if (key === a || key.startsWith(`${a}/`)) {
        this.nodes.delete(key);
        this.nodes.set(b + key.slice(a.length), value);
      }
    }
    this.#tell({ type: 'rename', path: a, isDir: node.type === 'directory' });
    this.#tell({ type: 'create', path: b, isDir: node.type === 'directory' });
  }

  /** Calls `onChange` for each change under `path`; returns a function that stops it. */
  watch(path: string, recursive: boolean, onChange: (change: Change) => void): () => void {
    const at = posix.normalize(path);
    const watcher = (change: Change) => {
      const parent = posix.dirname(change.path);
      const under = change.path.startsWith(at === '/' ? '/' : `${at}/`);
      if (parent === at || change.path === at || (recursive && under)) onChange(change);
    };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  #children(at: string): string[] {
    return [...this.nodes.keys()].filter((key) => key !== at && posix.dirname(key) === at).sort();
  }

  #tell(change: Change): void {
    for (const watcher of this.#watchers) watcher(change);
  }
}

function dir(mode: number): FakeNode {
  return { type: 'directory', data: new Uint8Array(0), mode, mtimeMs: Date.now() };
}
