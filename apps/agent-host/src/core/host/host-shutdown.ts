import type { Logger, SandboxType } from '@sbx/timing';
import type { AlertService } from '../../alerts/alert-service.js';
import { budget, type Closeable } from '../../lifecycle/close-once.js';
import type { HostSandboxAdapter } from '../host-adapter.js';
import type { HostPools } from '../host-pools.js';
import type { CloseReport } from '../sandbox-host-options.js';
import type { HostJobs } from './host-jobs.js';
import type { HostLifecycle } from './host-lifecycle.js';
import type { HostLiveSet } from './host-live-set.js';

/** The owners a host closes, and where it says what it gave up on. */
export interface HostOwners {
  lifecycle: HostLifecycle;
  limiter: Closeable;
  provisioning: Closeable & { readonly pending: number };
  pools: HostPools;
  sweep: Closeable;
  live: HostLiveSet;
  jobs: HostJobs;
  alerts?: AlertService | undefined;
  logger: Logger;
}

/**
 * The host's close after the abort, in order and within `timeoutMs` in all: the caps and the provisioning
 * refuse new work at once, the pools drain while what is in flight settles (the sweep stops), then the live
 * sandboxes are removed and the perf sink flushed, then the caps' last reservations are given back and the
 * alerts flushed. What is still pending at the deadline is given up and said so in one line.
 */
export async function drainHost(owners: HostOwners, timeoutMs: number): Promise<CloseReport> {
  const { lifecycle } = owners;
  const left = budget(timeoutMs);
  const limiter = owners.limiter.close({ timeoutMs: left() });
  const provisioning = owners.provisioning.close({ timeoutMs: left() });
  const pools = lifecycle.track(owners.pools.close({ timeoutMs: left() }));
  void owners.sweep.close({ timeoutMs: left() });
  const provisioned = await provisioning;
  let complete = (await lifecycle.settle(left())) && provisioned.complete;
  const drained = await pools;
  const [live, jobs] = await Promise.all([
    owners.live.close({ timeoutMs: left() }),
    owners.jobs.close({ timeoutMs: left() }),
  ]);
  complete = (await lifecycle.settle(left())) && live.complete && jobs.complete && complete;
  complete = (await limiter).complete && complete;
  const alertsFlushed = (await owners.alerts?.flush({ timeoutMs: left() })) ?? true;
  complete &&= alertsFlushed && drained.complete;
  if (!complete) {
    owners.logger.warn(
      `close: gave up after ${timeoutMs} ms on ${lifecycle.pending} pending task(s); \`sbx reap\` removes any sandbox left`,
    );
  }
  return { removed: live.removed + drained.removed, complete };
}

/**
 * Last resort before an immediate exit (a second Ctrl-C): asks each adapter to start removing its live
 * sandboxes (and pools' ready members) without waiting; returns their ids for the `sbx reap` hint.
 */
export function abandonHost(
  owners: Pick<HostOwners, 'live' | 'pools'>,
  adapters: Partial<Record<SandboxType, HostSandboxAdapter>>,
): string[] {
  const live = owners.live.leftBehind();
  const left: string[] = [];
  for (const [type, adapter] of Object.entries(adapters)) {
    const ids = [
      ...live.filter((s) => s.type === type).map((s) => s.id),
      ...owners.pools.readyIds(type as SandboxType),
    ];
    if (ids.length > 0) adapter?.abandon?.(ids);
    left.push(...ids);
  }
  return left;
}
