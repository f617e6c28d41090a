import { Code, ConnectError, createContextKey, type HandlerContext } from '@connectrpc/connect';
import type { HostSandbox } from '../core/host-adapter.js';
import type { E2bSandboxRecord } from './e2b-sandboxes.js';

/** The sandbox a sandbox-plane call was authenticated for (by its id header and access token). */
export interface SandboxCall {
  sandbox: HostSandbox;
  record: E2bSandboxRecord;
  /** The user the SDK named (`Authorization: Basic user:`), if any. */
  user: string | undefined;
  /** The user the sandbox's commands run as by default (`id -un` inside it). */
  sandboxUser: string;
}

/** The context key the sandbox plane sets before a Connect call runs. */
export const sandboxCallKey = createContextKey<SandboxCall | undefined>(undefined, {
  description: 'the sandbox of an E2B sandbox-plane call',
});

/** The call's sandbox; `Unauthenticated` when the plane did not set it (never reached in practice). */
export function callOf(ctx: HandlerContext): SandboxCall {
  const call = ctx.values.get(sandboxCallKey);
  if (!call) throw new ConnectError('no sandbox for this call', Code.Unauthenticated);
  return call;
}

/** An absolute path, or `InvalidArgument` saying so. */
export function absolute(path: string, field = 'path'): string {
  if (!path.startsWith('/') || path.includes('\0') || path.length > 4096) {
    throw new ConnectError(
      `${field}: must be an absolute path inside the sandbox (at most 4,096 characters), got ${JSON.stringify(path.slice(0, 100))}`,
      Code.InvalidArgument,
    );
  }
  return path;
}
