import { SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import type { SandboxHost } from '../core/sandbox-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { runtimeChoices } from '../kinds/docker/docker-isolation.js';

/** The engine's runtimes (read fresh), whether the policy allows each, and whether egress may be asked for. */
export interface RuntimesView {
  type: SandboxType;
  default: string;
  allowNetwork: boolean;
  runtimes: ReturnType<typeof runtimeChoices>;
}

/** A built template, without host paths or build logs. */
export interface TemplateView {
  name: string;
  hash: string | null;
  sizeBytes: number;
  createdAt: string;
  ready: string | null;
}

/** The runtimes of the first type with engine runtimes, or undefined when no type of this host has them. */
export async function runtimesView(
  host: SandboxHost,
  policy: SandboxPolicy,
): Promise<RuntimesView | undefined> {
  const type = SANDBOX_TYPES.find((t) => host.adapter(t)?.listRuntimes);
  const adapter = type === undefined ? undefined : host.adapter(type);
  if (type === undefined || !adapter?.listRuntimes) return undefined;
  const runtimes = await adapter.listRuntimes({ fresh: true });
  return {
    type,
    default: runtimes.default,
    allowNetwork: policy.allowNetwork,
    runtimes: runtimeChoices(runtimes, policy),
  };
}

/** What `template: NAME` may name here. */
export async function templatesView(host: SandboxHost): Promise<TemplateView[]> {
  const adapter = SANDBOX_TYPES.map((t) => host.adapter(t)).find((a) => a?.listTemplates);
  const found = (await adapter?.listTemplates?.()) ?? [];
  return found.map((t) => ({
    name: t.name,
    hash: t.hash ?? null,
    sizeBytes: t.sizeBytes,
    createdAt: t.createdAt,
    ready: t.ready ?? null,
  }));
}

/**
 * How many sandboxes of this host's owner are still on `type`'s engine (the adapter says who it is and lists
 * what sbx made); 0 when the backend cannot tell. Works after the host is closed (a bench's leak check).
 */
export async function leftOnEngine(host: SandboxHost, type: SandboxType): Promise<number> {
  const adapter = host.adapter(type) as
    | { owner?: string; listManaged?: () => Promise<Array<{ owner: string }>> }
    | undefined;
  if (!adapter?.listManaged || !adapter.owner) return 0;
  const owner = adapter.owner;
  return (await adapter.listManaged()).filter((c) => c.owner === owner).length;
}
