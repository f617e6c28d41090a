import { ChangeFeed, isPostgresUrl, type openDatabase } from '@sbx/store';
import type { Logger, SandboxType } from '@sbx/timing';
import type { HostSandboxAdapter } from '../core/host-adapter.js';
import { KNOWN_PHASES } from '../kinds/registry.js';
import { SandboxService } from '../service/sandbox-service.js';
import type { ResultSpool } from '../spool/result-spool.js';
import { PrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import type { AgentHost } from './agent-host.js';
import { composeHost, type HostSeams } from './compose-host.js';
import type { HostConfig } from './config.js';

/** What `wireAgentHost()` wires over an open database: whoever opened it and made the adapters. */
export interface WireAgentHostOptions {
  config: HostConfig;
  logger: Logger;
  /** The adapters the host provisions with, by type (production: each kind's `createAdapter`). */
  adapters: Partial<Record<SandboxType, HostSandboxAdapter>>;
  /** The host that measures, stamped on every row it records. */
  hostId: string;
  /** Where results go while the store cannot take them (none for an in-memory database). */
  spool?: ResultSpool | undefined;
  /** Test seams (`createTestHost()`); production passes none. */
  seams?: HostSeams | undefined;
  /** The provisioning deadline, instead of the host's default (tests of a slow engine). */
  deadlineMs?: number | undefined;
}

/**
 * Wires the measured host, its stores and its metrics over an open database, with the config's policy (live
 * caps, idle timeout, TTL), webhook and thresholds. `openAgentHost()` and the test kit's `createTestHost()`
 * both go through it, so a test host is wired exactly as the served one.
 */
export function wireAgentHost(
  db: Awaited<ReturnType<typeof openDatabase>>,
  options: WireAgentHostOptions,
): AgentHost {
  const { config, logger, hostId } = options;
  // A fleet shares one PostgreSQL database: each host exports only what it measured (Prometheus sums the hosts).
  const fleet = isPostgresUrl(config.dbPath);
  const composed = composeHost(db, {
    adapters: options.adapters,
    logger,
    hostId,
    webhookUrl: config.webhookUrl,
    webhookCooldownMs: config.webhookCooldownMs,
    alertThresholdMs: config.alertThresholdMs,
    limits: {
      perTenant: config.policy.maxLivePerTenant,
      total: config.policy.maxLiveTotal,
      pidsBudget: config.policy.maxPidsTotal,
    },
    idleTimeoutMs: config.policy.idleTimeoutMs,
    maxTtlMs: config.policy.maxTtlMs,
    spool: options.spool,
    seams: options.seams,
    deadlineMs: options.deadlineMs,
  });
  const { kpis } = composed;
  const metrics = new PrometheusMetrics({
    feed: new ChangeFeed(db, fleet ? { hostId } : {}),
    phases: KNOWN_PHASES,
    kpis: fleet ? { getSlaVerdict: (type) => kpis.getSlaVerdict(type, { host: hostId }) } : kpis,
    host: hostId,
    liveSandboxes: () => composed.host.liveCount,
    storeHealth: () => composed.storeHealth(),
  });
  const service = new SandboxService({
    host: composed.host,
    policy: config.policy,
    storeHealth: () => composed.storeHealth(),
  });
  return { ...composed, config, metrics, service };
}
