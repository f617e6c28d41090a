import type { AgentFrame, FrameKind } from '../frame-codec.js';
import type { FakeCommand } from './fake-commands.js';
import type { FakeFileSystem } from './fake-file-system.js';
import type { FakeProcess } from './fake-process.js';

/** One connection as a fake op sees it: frames in, frames out, and a graceful end. */
export interface FakeAgentIo {
  request: Record<string, unknown>;
  /** The host's frames after `open`. */
  frames: AsyncIterator<AgentFrame>;
  send(kind: FrameKind, payload?: Uint8Array | object): Promise<void>;
  /** Writes raw bytes (a test's lying agent). */
  raw(bytes: Uint8Array): void;
  /** Sends the final frame (when given) and ends the connection once it is written. */
  finish(kind?: FrameKind, payload?: object): Promise<void>;
  /** Drops the connection. */
  close(): void;
  /** Resolves when the host closed the connection. */
  closed: Promise<void>;
}

/** What a fake op handler gets. */
export interface FakeAgentState {
  commands: Record<string, FakeCommand>;
  files: FakeFileSystem;
  processes: Map<number, FakeProcess>;
  nextPid: () => number;
}
