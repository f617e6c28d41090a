// One operation of the in-sandbox agent on its own connection: opened with the sandbox's name in its messages and
// a timeout on the first answer; the simple ones answered by one `end` frame.
import { AgentCall, type CallOptions } from './agent-call.js';
import { jsonOfFrame } from './agent-requests.js';
import type { AgentTransport } from './agent-transport.js';
import { FRAME, MAX_FRAME_BYTES } from './frame-codec.js';

/** Opens the agent's operations over one transport (see `SandboxAgentOptions`). */
export class AgentConnection {
  /** How messages name the sandbox: `sandbox ID` or `the sandbox`. */
  readonly name: string;
  readonly #transport: AgentTransport;
  readonly #answerTimeoutMs: number;

  constructor(options: { transport: AgentTransport; sandboxId?: string; answerTimeoutMs?: number }) {
    this.#transport = options.transport;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 10_000;
    this.name = options.sandboxId ? `sandbox ${options.sandboxId}` : 'the sandbox';
  }

  /** An operation answered by one `end` frame: its JSON. */
  async simple(
    op: string,
    params: Record<string, unknown>,
    doing: string,
    notFound: CallOptions['notFound'],
    // `wholeFrame`: a `list` or `ps` answer may fill its frame (PROTOCOL.md: up to 900 KiB of entries).
    options: { signal?: AbortSignal | undefined; timeoutMs?: number; wholeFrame?: boolean },
  ): Promise<Record<string, unknown>> {
    const { call, first } = await this.open(op, params, doing, notFound, options.signal, options.timeoutMs);
    try {
      return jsonOfFrame(first, FRAME.end, options.wholeFrame ? MAX_FRAME_BYTES : undefined);
    } finally {
      call.close();
    }
  }

  /** Opens `op` with `params` (and any leading frames); `doing` names it in errors, with the sandbox. */
  open(
    op: string,
    params: Record<string, unknown>,
    doing: string,
    notFound: CallOptions['notFound'],
    signal: AbortSignal | undefined,
    timeoutMs = this.#answerTimeoutMs,
    frames?: Parameters<typeof AgentCall.open>[4],
  ) {
    return AgentCall.open(
      this.#transport,
      op,
      params,
      { signal, answerTimeoutMs: timeoutMs, doing: `${doing} in ${this.name}`, notFound },
      frames,
    );
  }
}
