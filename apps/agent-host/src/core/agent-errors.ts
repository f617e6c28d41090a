import { AgentHostError } from '../errors.js';

// The agent's error codes (PROTOCOL.md), and what each is for a caller of the host.
const CALLER_CODES: Record<string, { code: AgentHostError['code']; what: string }> = {
  NOT_FOUND: { code: 'PROCESS_NOT_FOUND', what: 'not found' },
  BAD_REQUEST: { code: 'INVALID_REQUEST', what: 'refused by the agent' },
  PERMISSION_DENIED: { code: 'AGENT_PERMISSION_DENIED', what: 'permission denied' },
  LIMIT: { code: 'TOO_MANY_CONCURRENT', what: "over the agent's limit" },
};

/** The agent's code carried by an error from the agent client (`agentCode`, or a `code` the protocol defines). */
export function agentErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { agentCode, code } = error as { agentCode?: unknown; code?: unknown };
  if (typeof agentCode === 'string') return agentCode;
  return typeof code === 'string' && code in CALLER_CODES ? code : undefined;
}

/**
 * An agent's refusal as the host's error: a missing process or command (404), a bad field (400), a user it may
 * not switch to (403), its process limit (429); anything else goes through unchanged (the bootstrap error, a
 * gone sandbox). `what` names the call, e.g. `process 42 in sandbox X`.
 */
export function fromAgentError(error: unknown, what: string): unknown {
  const known = CALLER_CODES[agentErrorCode(error) ?? ''];
  if (!known) return error;
  const detail = error instanceof Error ? error.message.slice(0, 300) : '';
  return new AgentHostError(known.code, `${what}: ${known.what}${detail ? ` (${detail})` : ''}`, {
    cause: error,
  });
}

/** The 409 a sandbox without the in-sandbox agent answers to what only the agent can do. */
export function agentUnavailable(sandboxId: string, what: string): AgentHostError {
  return new AgentHostError(
    'AGENT_UNAVAILABLE',
    `sandbox ${sandboxId} runs without the in-sandbox agent: ${what} needs it (create the sandbox with "agent": true on an image where the agent can start)`,
  );
}
