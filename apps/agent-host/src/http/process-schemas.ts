// The zod schemas of the process and terminal routes (requests and answers); the OpenAPI document uses them.
import { z } from 'zod';
import { PROCESS_SIGNALS } from '../core/process-agent.js';
import { processFields } from './schemas.js';

/** The largest body of `POST .../processes/:pid/stdin`: bytes written to a process's standard input. */
export const MAX_STDIN_BODY_BYTES = 1024 * 1024;
/** The path of `POST .../processes/:pid/stdin`, whose body is raw bytes. */
export const STDIN_PATH = /^\/v1\/sandboxes\/[^/]+\/processes\/[^/]+\/stdin$/;
/** The largest pid (the kernel's `pid_max` is at most 2^22; the protocol allows up to 2^31-1). */
export const MAX_PID = 2 ** 31 - 1;

/** The pid in a path, or undefined when it is not an integer from 1 to `MAX_PID`. */
export function pidOf(text: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(text)) return undefined;
  const pid = Number(text);
  return pid <= MAX_PID ? pid : undefined;
}

/** Body of `POST .../processes/:pid/signal`. */
export const signalRequestSchema = z
  .object({ signal: z.enum(PROCESS_SIGNALS).describe("sent to the process's whole group") })
  .strict()
  .meta({ id: 'SignalRequest' });

/** Query of `POST .../processes/:pid/stdin`. */
export const stdinQuerySchema = z
  .object({ eof: z.enum(['true', 'false']).optional().describe('true: close its stdin after these bytes') })
  .strict();

/** Answer of `POST /v1/sandboxes/:id/exec` with `background: true` (202). */
export const startedSchema = z
  .object({ pid: z.number().int().describe('re-attach, signal or write its stdin by this pid') })
  .meta({ id: 'Started' });

/** One process the in-sandbox agent lists. */
export const processInfoSchema = z
  .object({
    pid: z.number().int(),
    cmd: z.array(z.string()),
    tag: z.string().optional(),
    tty: z.boolean(),
    background: z.boolean(),
    startedAtMs: z.number().describe('when it started, in milliseconds since the epoch (the sandbox clock)'),
    running: z.boolean(),
    exitCode: z.number().int().optional(),
    signal: z.string().optional().describe('the signal that killed it'),
  })
  .meta({ id: 'ProcessInfo' });

/** `GET .../processes`. */
export const processListSchema = z
  .object({ processes: z.array(processInfoSchema) })
  .meta({ id: 'ProcessList' });

/** The last line of `GET .../processes/:pid/output`. */
export const processExitEventSchema = z
  .object({
    exit: z.object({
      exitCode: z.number().int().describe('-1 when the output could not be followed to the end (error)'),
      signal: z.string().optional(),
      timedOut: z.boolean().optional(),
      truncated: z.boolean().describe('the kept output lost its oldest bytes (1 MiB kept per stream)'),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  })
  .meta({ id: 'ProcessExitEvent' });

/** Query of `GET /v1/sandboxes/:id/pty` (a WebSocket upgrade). */
export const ptyQuerySchema = z
  .object({
    cols: z.coerce.number().int().min(1).max(1000).default(80),
    rows: z.coerce.number().int().min(1).max(1000).default(24),
    cmd: z.string().min(1).max(4096).optional().describe('run with sh -c; default sh'),
    cwd: processFields.cwd.optional(),
    user: processFields.user.optional(),
  })
  .strict();

/** A text message on the terminal's WebSocket: a resize. */
export const ptyControlSchema = z
  .object({
    resize: z.object({
      cols: z.number().int().min(1).max(1000),
      rows: z.number().int().min(1).max(1000),
    }),
  })
  .strict();
