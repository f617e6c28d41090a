import type { Duplex } from 'node:stream';
import type { HostSandbox } from '../core/host-adapter.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { requireAgent } from './agent-access.js';
import type { ConcurrencyCaps } from './concurrency-caps.js';

/** An open tunnel to a port in a sandbox and its release (the caps' slot and the sandbox's use). */
export interface PortTunnel {
  tunnel: Duplex;
  release: () => void;
}

/** Who the tunnel is for and what ends it. */
export interface PortTunnelRequest {
  tenant: string;
  /** The caller's request signal: aborting it before the tunnel opened gives it up. */
  signal?: AbortSignal;
}

/**
 * Opens a tunnel through the sandbox's agent to 127.0.0.1:`port` inside it, holding a slot of the sandbox's and
 * the tenant's preview caps (429 over) and the sandbox in use (it does not idle away; the host's shutdown
 * closes it); `release()` gives both back. Without the agent: `AGENT_UNAVAILABLE`.
 */
export async function openPortTunnel(
  deps: { service: SandboxService; caps: ConcurrencyCaps },
  sandbox: HostSandbox,
  port: number,
  request: PortTunnelRequest,
): Promise<PortTunnel> {
  const agent = requireAgent(sandbox);
  const { maxPortConnectionsPerSandbox: perSandbox, maxPortConnectionsPerTenant: perTenant } =
    deps.service.policy;
  const releaseSlot = deps.caps.acquire([
    {
      key: `port:sandbox:${sandbox.id}`,
      cap: perSandbox,
      refusal: `at most ${perSandbox} preview connections at once to one sandbox: close one first`,
    },
    {
      key: `port:tenant:${request.tenant}`,
      cap: perTenant,
      refusal: `at most ${perTenant} preview connections at once per tenant: close one first`,
    },
  ]);
  let endUse: () => void = () => {};
  try {
    const tunnel = await new Promise<Duplex>((resolve, reject) => {
      // The tunnel counts as use of the sandbox until it closes.
      deps.service
        .use(
          sandbox,
          (signal) =>
            new Promise<void>((done) => {
              endUse = done;
              agent.openPort(port, { signal }).then((t) => {
                signal.addEventListener('abort', () => t.destroy(), { once: true });
                t.once('close', done);
                resolve(t);
              }, reject);
            }),
          request.signal,
        )
        .catch(reject);
    });
    return {
      tunnel,
      release: () => {
        endUse();
        releaseSlot();
      },
    };
  } catch (error) {
    endUse();
    releaseSlot();
    throw error;
  }
}
