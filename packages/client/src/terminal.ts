import { SbxError } from './errors.js';
import type { Transport } from './http.js';

/** The part of a WebSocket the terminal uses: the browser's `WebSocket` and the `ws` package's both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a WebSocket to `url` sending `headers` (the bearer token); e.g. `(url, headers) => new WebSocket(url, { headers })` with the `ws` package. */
export type WebSocketFactory = (url: string, headers: Record<string, string>) => WebSocketLike;

/** Options of `sandbox.terminal()`. */
export interface TerminalOptions {
  cols?: number;
  rows?: number;
  /** Run with `sh -c` instead of a plain `sh`. */
  cmd?: string;
  cwd?: string;
  user?: string;
  /** Each piece of the terminal's output. */
  onData: (bytes: Uint8Array) => void;
  /**
   * How to open the WebSocket. Default: the global `WebSocket` (browsers, Node >= 22), which cannot send the
   * token: it works from a page of the host signed in with its session. Node 20: pass one built on `ws`.
   */
  webSocket?: WebSocketFactory;
}

/** How a terminal's command ended (`exitCode` -1 when the connection ended without saying). */
export interface TerminalExit {
  exitCode: number;
  signal?: string;
  timedOut?: boolean;
  /** The WebSocket close code and reason. */
  closeCode: number;
  closeReason: string;
}

/** A terminal in a sandbox (a PTY over a WebSocket). */
export interface Terminal {
  /** Sends keystrokes (at most 64 KiB a message). */
  write(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Closes it: its processes are killed. */
  close(): void;
  /** Resolves when it ends (its command exited, or it was closed). */
  readonly exited: Promise<TerminalExit>;
}

/** Opens a terminal; resolves once the host accepted the WebSocket. */
export function openTerminal(
  transport: Transport,
  sandboxPath: string,
  options: TerminalOptions,
): Promise<Terminal> {
  const query = new URLSearchParams();
  for (const key of ['cols', 'rows', 'cmd', 'cwd', 'user'] as const) {
    if (options[key] !== undefined) query.set(key, String(options[key]));
  }
  const url = `${transport.baseUrl.replace(/^http/, 'ws')}${sandboxPath}/pty?${query}`;
  const factory = options.webSocket ?? defaultFactory();
  const ws = factory(url, { authorization: `Bearer ${transport.token}` });
  ws.binaryType = 'arraybuffer';
  let exit: Omit<TerminalExit, 'closeCode' | 'closeReason'> = { exitCode: -1 };
  let opened = false;
  return new Promise<Terminal>((resolve, reject) => {
    let ended: (exit: TerminalExit) => void = () => {};
    const exited = new Promise<TerminalExit>((done) => {
      ended = done;
    });
    ws.onopen = () => {
      opened = true;
      resolve({
        write: (data) => ws.send(typeof data === 'string' ? new TextEncoder().encode(data) : data),
        resize: (cols, rows) => ws.send(JSON.stringify({ resize: { cols, rows } })),
        close: () => ws.close(1000),
        exited,
      });
    };
    ws.onmessage = ({ data }) => {
      if (typeof data === 'string') {
        const parsed = JSON.parse(data) as { exit?: typeof exit };
        if (parsed.exit) exit = parsed.exit;
      } else options.onData(new Uint8Array(data as ArrayBuffer));
    };
    let failure = '';
    ws.onerror = (event) => {
      failure = String((event as { message?: unknown }).message ?? '');
    };
    ws.onclose = ({ code, reason }) => {
      ended({ ...exit, closeCode: code, closeReason: reason });
      if (opened) return;
      const status = Number(/response: (\d{3})/.exec(failure)?.[1] ?? 0);
      const why = failure || `close ${code}`;
      reject(
        new SbxError(
          status === 0 ? 'UNREACHABLE' : 'TERMINAL_REFUSED',
          `the terminal was not opened: ${why}`,
          { status },
        ),
      );
    };
  });
}

function defaultFactory(): WebSocketFactory {
  const Native = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!Native) {
    throw new SbxError(
      'NOT_SUPPORTED',
      'this runtime has no global WebSocket: pass options.webSocket, e.g. built on the `ws` package',
    );
  }
  return (url) => new Native(url);
}
