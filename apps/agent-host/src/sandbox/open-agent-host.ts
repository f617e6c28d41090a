import { DockerAdapter } from '@sbx/bootstrap';
import { openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import { consoleLogger, type Logger } from '@sbx/timing';
import Docker from 'dockerode';
import type { HostConfig } from '../config.js';
import { SandboxHost } from './sandbox-host.js';

/** Everything a CLI command or the server needs, wired once. */
export interface AgentHost {
  config: HostConfig;
  kpis: SandboxProvisioningKPI;
  perf: SandboxPerfRecordRepository;
  adapter: DockerAdapter;
  host: SandboxHost;
  /** Disposes live sandboxes, then closes the database. */
  close(): Promise<void>;
}

/** The composition root: opens the database, creates the Docker client and wires the sandbox host. */
export async function openAgentHost(config: HostConfig, logger: Logger = consoleLogger): Promise<AgentHost> {
  const db = await openDatabase(config.dbPath);
  const kpis = new SandboxProvisioningKPI(db);
  const perf = new SandboxPerfRecordRepository(db);
  // dockerode reads DOCKER_HOST (and DOCKER_CERT_PATH/DOCKER_TLS_VERIFY) itself; default is the local socket.
  const adapter = new DockerAdapter({ docker: new Docker(), engineAddress: config.engineAddress, logger });
  const host = new SandboxHost({ recorder: kpis, sink: perf, docker: adapter, logger });
  let closed = false;
  return {
    config,
    kpis,
    perf,
    adapter,
    host,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await host.disposeAll();
      } finally {
        await db.destroy();
      }
    },
  };
}
