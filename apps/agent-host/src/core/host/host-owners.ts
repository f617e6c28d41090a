import { SandboxProvisioner } from '@sbx/timing';
import { HostPools } from '../host-pools.js';
import { LiveLimiter } from '../live-limits.js';
import { ObservedRecorder } from '../observed-recorder.js';
import { DEFAULT_DEADLINE_MS, type SandboxHostDeps } from '../sandbox-host-options.js';
import { ExpirySweep } from './expiry-sweep.js';
import { HostJobs } from './host-jobs.js';
import { HostLifecycle } from './host-lifecycle.js';
import { HostLiveSet } from './host-live-set.js';
import { HostProvisioning } from './host-provisioning.js';

/** The owners a `SandboxHost` is made of, one job each. */
export interface HostOwnerSet {
  lifecycle: HostLifecycle;
  live: HostLiveSet;
  sweep: ExpirySweep;
  recorder: ObservedRecorder;
  limiter: LiveLimiter;
  provisioner: SandboxProvisioner;
  pools: HostPools;
  provisioning: HostProvisioning;
  jobs: HostJobs;
}

/** Builds a host's owners from its deps, wired to one another (the sweep's timer starts here). */
export function hostOwners(deps: SandboxHostDeps): HostOwnerSet {
  const { logger, adapters, storeRefusal, sink, alerts, telemetry, alertThresholdMs } = deps;
  const lifecycle = new HostLifecycle();
  const live: HostLiveSet = new HostLiveSet({
    lifecycle,
    logger,
    maxTtlMs: deps.maxTtlMs,
    idleTimeoutMs: deps.idleTimeoutMs,
    now: deps.now,
    // A place under the caps was freed: a pool that could not refill may. A gone id may be a pool member.
    onFreed: () => pools.nudge(),
    onGoneElsewhere: (id, reason) => pools.drop(id, reason),
  });
  const sweep = new ExpirySweep({
    due: () => live.activity.due(),
    expire: (id, reason) => live.gone(id, reason),
    closing: () => lifecycle.closing,
    idleTimeoutMs: deps.idleTimeoutMs,
  });
  const recorder = new ObservedRecorder(deps);
  const limiter = new LiveLimiter(live.sandboxes, deps.limits);
  const provisioner = new SandboxProvisioner({ recorder, logger });
  const deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const pools = new HostPools({ adapters, provisioner, limiter, logger, deadlineMs });
  const provisioning = new HostProvisioning({
    ...{ adapters, provisioner, recorder, lifecycle, limiter, live, pools },
    ...{ storeRefusal, deadlineMs },
  });
  const jobs = new HostJobs({ lifecycle, live, sink, logger, alerts, telemetry, alertThresholdMs });
  return { lifecycle, live, sweep, recorder, limiter, provisioner, pools, provisioning, jobs };
}
