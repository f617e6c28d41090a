import { bounded, whenAborted } from '../bounded.js';
import { agentError, type NotFoundAs } from './agent-fields.js';
import { type AgentConnection, type AgentTransport, unavailable } from './agent-transport.js';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentFrame,
  FRAME,
  type FrameKind,
  jsonPayload,
  protocolError,
} from './frame-codec.js';

/** How one operation is opened. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** The first answer must come within this many milliseconds (`AGENT_UNAVAILABLE` after). */
  answerTimeoutMs: number;
  /** What the host was doing, for error messages (`reading /etc/hosts`). */
  doing: string;
  /** What an agent's `NOT_FOUND` becomes. */
  notFound: NotFoundAs;
}

/**
 * One operation on its own connection: `open` sent, the agent's frames read one at a time (an `error` frame is
 * thrown as a `BootstrapError`), closed when done or when the signal aborts.
 */
export class AgentCall {
  readonly #connection: AgentConnection;
  readonly #frames: AsyncIterator<AgentFrame>;
  readonly #options: CallOptions;
  readonly #stopAbort: () => void;
  #closed = false;

  private constructor(connection: AgentConnection, options: CallOptions) {
    this.#connection = connection;
    this.#frames = connection.frames();
    this.#options = options;
    this.#stopAbort = whenAborted(options.signal, () => this.close());
  }

  /**
   * Connects, sends `open {v, op, ...params}` (then `leading`, for an operation the agent answers only once it has
   * them, such as `stdin`) and returns the call with the agent's first frame.
   */
  static async open(
    transport: AgentTransport,
    op: string,
    params: Record<string, unknown>,
    options: CallOptions,
    leading: ReadonlyArray<{ kind: FrameKind; payload?: Uint8Array | object }> = [],
  ): Promise<{ call: AgentCall; first: AgentFrame }> {
    const connection = await transport.connect(options.signal);
    const call = new AgentCall(connection, options);
    try {
      await call.send(FRAME.open, { v: AGENT_PROTOCOL_VERSION, op, ...params });
      for (const frame of leading) await call.send(frame.kind, frame.payload);
      const first = await bounded(call.next(), {
        ms: options.answerTimeoutMs,
        signal: options.signal,
        onTimeout: () => unavailable(`no answer to ${op} within ${options.answerTimeoutMs} ms`),
      });
      return { call, first };
    } catch (error) {
      call.close();
      throw error;
    }
  }

  /** Sends one frame. */
  send(kind: FrameKind, payload?: Uint8Array | object): Promise<void> {
    return this.#connection.send(kind, payload);
  }

  /**
   * The agent's next frame; an `error` frame is thrown, a closed connection is `AGENT_UNAVAILABLE` (or the
   * signal's reason after an abort).
   */
  async next(): Promise<AgentFrame> {
    const { signal } = this.#options;
    let result: IteratorResult<AgentFrame>;
    try {
      result = await this.#frames.next();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
    if (signal?.aborted) throw signal.reason;
    if (result.done) throw unavailable(`the connection closed while ${this.#options.doing}`);
    const frame = result.value;
    if (frame.kind === FRAME.error) {
      this.close();
      throw agentError(jsonPayload(frame), this.#options.doing, this.#options.notFound);
    }
    return frame;
  }

  /** The next frame's JSON, which must be of `kind`. */
  async expect(kind: FrameKind): Promise<Record<string, unknown>> {
    return expectJson(await this.next(), kind);
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopAbort();
    this.#connection.close();
  }
}

/** The JSON of `frame`, which must be of `kind` (`AGENT_PROTOCOL` otherwise). */
export function expectJson(frame: AgentFrame, kind: FrameKind): Record<string, unknown> {
  if (frame.kind !== kind) throw protocolError(`expected frame kind ${kind}, got ${frame.kind}`);
  return jsonPayload(frame);
}
