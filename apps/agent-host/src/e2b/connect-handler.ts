import { type ConnectRouter, createConnectRouter, createContextValues } from '@connectrpc/connect';
import {
  universalServerRequestFromFetch,
  universalServerResponseToFetch,
} from '@connectrpc/connect/protocol';
import { type SandboxCall, sandboxCallKey } from './sandbox-context.js';

/** The largest Connect request message (JSON or binary) a sandbox-plane call may send. */
export const MAX_CONNECT_MESSAGE_BYTES = 1024 * 1024;

/**
 * Connect services (the Connect protocol only; gRPC and gRPC-Web off) as a fetch-style handler for hono:
 * `handle(path, request, call)` answers a known `/package.Service/Method` path, else resolves to undefined.
 */
export function connectHandler(register: (router: ConnectRouter) => void) {
  const router = createConnectRouter({
    connect: true,
    grpc: false,
    grpcWeb: false,
    readMaxBytes: MAX_CONNECT_MESSAGE_BYTES,
  });
  register(router);
  const handlers = new Map(router.handlers.map((h) => [h.requestPath, h]));
  return async (path: string, request: Request, call: SandboxCall): Promise<Response | undefined> => {
    const handler = handlers.get(path);
    if (!handler) return undefined;
    const universal = universalServerRequestFromFetch(request, {});
    universal.contextValues = createContextValues().set(sandboxCallKey, call);
    return universalServerResponseToFetch(await handler(universal));
  };
}
