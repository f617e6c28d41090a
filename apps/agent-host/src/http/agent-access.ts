import { isBootstrapError } from '@sbx/bootstrap';
import type { FilesAgent } from '../core/files-agent.js';
import type { HostSandbox } from '../core/host-adapter.js';
import { AgentHostError, type AgentHostErrorCode } from '../errors.js';

/** The sandbox's in-sandbox agent, or `AGENT_UNAVAILABLE` (409) naming what needs it. */
export function requireAgent(sandbox: HostSandbox, what = 'this call'): FilesAgent {
  const agent = sandbox.agent;
  if (agent) return agent;
  throw new AgentHostError(
    'AGENT_UNAVAILABLE',
    `sandbox ${sandbox.id} runs without the in-sandbox agent: ${what} needs it (create the sandbox on an image where the agent can start, without "agent": false)`,
  );
}

// The agent's own refusals (PROTOCOL.md) as the host's codes: what a caller can act on.
const REFUSALS: Record<string, { code: AgentHostErrorCode; what: string }> = {
  EXISTS: { code: 'FILE_EXISTS', what: 'something is already there' },
  NOT_A_DIRECTORY: { code: 'NOT_A_DIRECTORY', what: 'a path component is not a directory' },
  IS_A_DIRECTORY: { code: 'IS_A_DIRECTORY', what: 'it is a directory' },
  PERMISSION_DENIED: { code: 'PERMISSION_DENIED', what: 'permission denied (try another user)' },
  READ_ONLY: {
    code: 'READ_ONLY_PATH',
    what: 'it is on a read-only filesystem (write under /tmp or a writable mount)',
  },
  LIMIT: { code: 'TOO_MANY_CONCURRENT', what: "over the in-sandbox agent's limit" },
  BAD_REQUEST: { code: 'INVALID_REQUEST', what: 'refused by the in-sandbox agent' },
  CONNECTION_REFUSED: {
    code: 'PORT_CLOSED',
    what: 'nothing listens there: start the server on 127.0.0.1 (or 0.0.0.0) in the sandbox first',
  },
};

/**
 * An agent's refusal (`AGENT_REFUSED` with its `agentCode`) as the host's error, `what` naming the call
 * (`moving /a in sandbox X`); anything else (a missing file, a gone sandbox, a silent agent) goes on unchanged.
 */
export function fromAgentError(error: unknown, what: string): unknown {
  if (!isBootstrapError(error, 'AGENT_REFUSED' as never)) return error;
  const agentCode = (error as { agentCode?: unknown }).agentCode;
  const known = typeof agentCode === 'string' ? REFUSALS[agentCode] : undefined;
  if (!known) return error;
  return new AgentHostError(known.code, `${what}: ${known.what}`, { cause: error });
}
