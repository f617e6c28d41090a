import { hostname } from 'node:os';
import { openDatabase } from '@sbx/store';
import { consoleLogger, type Logger } from '@sbx/timing';
import type { HostSandboxAdapter } from '../core/host-adapter.js';
import { sandboxModules } from '../kinds/registry.js';
import { ResultSpool } from '../spool/result-spool.js';
import type { AgentHost } from './agent-host.js';
import type { HostConfig } from './config.js';
import { wireAgentHost } from './wire-agent-host.js';

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
  const adapters: Record<string, HostSandboxAdapter> = {};
  for (const module of sandboxModules()) {
    const adapter = module.createAdapter?.(config, logger);
    if (adapter) adapters[module.type] = adapter;
  }
  return wireAgentHost(db, { config, logger, adapters, hostId: config.hostId ?? hostname(), spool });
}
