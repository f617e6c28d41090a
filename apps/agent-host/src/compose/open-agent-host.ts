import { hostname } from 'node:os';
import { ChangeFeed, isPostgresUrl, openDatabase } from '@sbx/store';
import { consoleLogger, type Logger } from '@sbx/timing';
import type { HostSandboxAdapter } from '../core/host-adapter.js';
import { KNOWN_PHASES, sandboxModules } from '../kinds/registry.js';
import { SandboxService } from '../service/sandbox-service.js';
import { ResultSpool } from '../spool/result-spool.js';
import { PrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import type { AgentHost } from './agent-host.js';
import { composeHost } from './compose-host.js';
import type { HostConfig } from './config.js';

export type { AgentHost };

/** The composition root: opens the database, creates each sandbox type's adapter and wires the sandbox host. */
export async function openAgentHost(config: HostConfig, logger: Logger = consoleLogger): Promise<AgentHost> {
  // The spool first: what an earlier process left there is flushed as soon as the database answers.
  const spool = config.spoolPath
    ? await ResultSpool.open(config.spoolPath, { maxBytes: config.spoolMaxBytes })
    : undefined;
  const db = await openDatabase(config.dbPath).catch(async (error) => {
    await spool?.close();
    throw error;
  });
  if (spool && spool.depth > 0) {
    logger.warn(`${spool.depth} result(s) left in ${spool.path} by an earlier run: storing them now`);
  }
  const hostId = config.hostId ?? hostname();
  // A fleet shares one PostgreSQL database: each host exports only what it measured (Prometheus sums the hosts).
  const fleet = isPostgresUrl(config.dbPath);
  const adapters: Record<string, HostSandboxAdapter> = {};
  for (const module of sandboxModules()) {
    const adapter = module.createAdapter?.(config, logger);
    if (adapter) adapters[module.type] = adapter;
  }
  const composed = composeHost(db, {
    adapters,
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
    spool,
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
