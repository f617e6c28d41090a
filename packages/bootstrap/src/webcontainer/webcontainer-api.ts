// The subset of `@webcontainer/api` the adapter calls, declared here (as kysely declares `SqliteDatabase`)
// so a page can inject the real module or a fake one without module mocking.

/** A tree of files to mount: names mapped to files, directories or symlinks (as in `@webcontainer/api`). */
export interface FileSystemTree {
  [name: string]:
    | { directory: FileSystemTree }
    | { file: { contents: string | Uint8Array } }
    | { file: { symlink: string } };
}

/** The boot options the adapter passes to `WebContainer.boot()`. */
export interface WebContainerBootOptions {
  coep?: 'require-corp' | 'credentialless' | 'none';
  workdirName?: string;
}

/** Options of one spawned process. */
export interface WebContainerSpawnOptions {
  cwd?: string;
  env?: Record<string, string | number | boolean>;
  output?: boolean;
}

/** A process running in a WebContainer: its exit code, its terminal output (stdout and stderr merged). */
export interface WebContainerProcess {
  exit: Promise<number>;
  output: ReadableStream<string>;
  kill(): void;
}

/** A booted WebContainer, as far as the adapter uses it. */
export interface WebContainerInstance {
  mount(tree: FileSystemTree, options?: { mountPoint?: string }): Promise<void>;
  spawn(command: string, args: string[], options?: WebContainerSpawnOptions): Promise<WebContainerProcess>;
  on(event: 'server-ready', listener: (port: number, url: string) => void): () => void;
  on(event: 'port', listener: (port: number, type: 'open' | 'close', url: string) => void): () => void;
  on(event: 'error', listener: (error: { message: string }) => void): () => void;
  teardown(): void;
}

/** The `WebContainer` class: only its static `boot()` is used. */
export interface WebContainerClass {
  boot(options?: WebContainerBootOptions): Promise<WebContainerInstance>;
}

/** The injected module: `import * as api from '@webcontainer/api'` satisfies it, and so does the fake. */
export interface WebContainerApi {
  readonly WebContainer: WebContainerClass;
}
