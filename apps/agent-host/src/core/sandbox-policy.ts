// The server policy in one place: its fields and defaults (default-policy.ts), how flags and environment set it
// (resolve-policy.ts), and the error a request over a cap gets.
import { AgentHostError } from '../errors.js';

export {
  defaultPolicy,
  kernelPidMax,
  MIN_CPUS,
  MIN_MEMORY_BYTES,
  type SandboxPolicy,
} from './default-policy.js';
export { ISOLATION_SETTINGS, POLICY_SETTINGS, RUNTIME_NAME, resolvePolicy } from './resolve-policy.js';

/** A request field above the policy's cap: 400 naming the field and the cap. */
export function overCap(field: string, what: string): AgentHostError {
  return new AgentHostError('POLICY_LIMIT', `${field}: ${what} (server policy)`);
}
