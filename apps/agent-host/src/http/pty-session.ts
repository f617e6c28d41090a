import type { WebSocket } from 'ws';
import type { AgentProcess } from '../core/process-agent.js';
import { ptyControlSchema } from './process-schemas.js';

/** Bytes of terminal output queued on a WebSocket before the host stops reading the terminal (backpressure). */
export const PTY_OUTPUT_QUEUE_BYTES = 1024 * 1024;
/** Bytes of keystrokes not yet written to the terminal before the host closes the WebSocket (1008). */
export const PTY_INPUT_QUEUE_BYTES = 1024 * 1024;

/**
 * Runs a terminal over a WebSocket: binary messages are its input, text messages JSON controls
 * (`{"resize":{"cols","rows"}}`); its output goes out as binary messages, paused while the client is more
 * than `PTY_OUTPUT_QUEUE_BYTES` behind, and its end as one text message `{"exit":{...}}` before a normal close.
 * Closing the socket closes the terminal (its processes are killed), and so does `maxLifetimeMs` (1008); `done`
 * runs once, whichever ends first.
 */
export function runPtySession(
  ws: WebSocket,
  process: AgentProcess,
  done: () => void,
  maxLifetimeMs: number,
): void {
  let finished = false;
  const timer = setTimeout(() => {
    ws.close(1008, `the terminal reached the host's command time limit (${maxLifetimeMs} ms)`);
  }, maxLifetimeMs);
  timer.unref?.();
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    process.close();
    done();
  };
  ws.on('close', finish);
  ws.on('error', finish);
  let pending = 0;
  let input = Promise.resolve();
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const bytes = toBytes(data);
    if (!isBinary) {
      const control = parseControl(bytes);
      if (!control) {
        ws.close(1008, 'text messages are JSON {"resize":{"cols":1-1000,"rows":1-1000}}');
        return;
      }
      input = input.then(() => process.resize(control.cols, control.rows)).catch(() => {});
      return;
    }
    pending += bytes.length;
    if (pending > PTY_INPUT_QUEUE_BYTES) {
      ws.close(1008, `more than ${PTY_INPUT_QUEUE_BYTES} bytes of input not yet taken by the terminal`);
      return;
    }
    input = input
      .then(() => process.sendStdin(bytes))
      .catch(() => {})
      .finally(() => {
        pending -= bytes.length;
      });
  });
  void pump(ws, process).finally(finish);
}

// Output to the socket within the queue bound, then the exit line and a normal close.
async function pump(ws: WebSocket, process: AgentProcess): Promise<void> {
  try {
    for await (const { chunk } of process.output()) {
      if (ws.readyState !== ws.OPEN) return;
      const sent = new Promise<void>((resolve) => ws.send(chunk, { binary: true }, () => resolve()));
      if (ws.bufferedAmount > PTY_OUTPUT_QUEUE_BYTES) await sent;
    }
    const exit = await process.wait();
    if (ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify({ exit }));
      ws.close(1000, 'the terminal ended');
    }
  } catch {
    if (ws.readyState === ws.OPEN) ws.close(1011, 'the terminal failed');
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data);
}

function parseControl(bytes: Uint8Array): { cols: number; rows: number } | undefined {
  try {
    const parsed = ptyControlSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data.resize : undefined;
  } catch {
    return undefined;
  }
}
