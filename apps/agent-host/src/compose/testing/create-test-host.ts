// The test kit: an AgentHost wired by the same `wireAgentHost()` production uses, over an in-memory (or temp
// file) SQLite database and `FakeDocker`, or adapters a test hands in.
import { DEFAULT_DOCKER_RESOURCES, DockerAdapter, type DockerSandboxSpec } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE, FakeDocker } from '@sbx/bootstrap/testing';
import { openDatabase } from '@sbx/store';
import type { Logger, ProvisionResult, SandboxPerfRecord, SandboxType } from '@sbx/timing';
import type { HostSandboxAdapter } from '../../core/host-adapter.js';
import type { CloseReport } from '../../core/sandbox-host.js';
import { defaultPolicy, type SandboxPolicy } from '../../core/sandbox-policy.js';
import type { AgentHost } from '../agent-host.js';
import type { HostSeams } from '../compose-host.js';
import type { HostConfig } from '../config.js';
import { wireAgentHost } from '../wire-agent-host.js';

/** Options of `createTestHost()`; every one has a default. */
export interface TestHostOptions {
  /** The server policy (`defaultPolicy(2)` by default); a partial one is laid over the default. */
  policy?: Partial<SandboxPolicy>;
  /** Config fields besides the policy (a webhook URL, an alert threshold, ...). */
  config?: Partial<Omit<HostConfig, 'policy'>>;
  /** The adapters to provision with, by type; by default the docker kind's adapter over `docker`. */
  adapters?: Partial<Record<SandboxType, HostSandboxAdapter>>;
  /** The fake engine of the default docker adapter (a fresh `FakeDocker` holding `DOCKER_TEST_IMAGE` by default). */
  docker?: FakeDocker;
  /** Where warnings and errors go; silent by default. */
  logger?: Logger;
  /** A SQLite file (a temp file the test removes); `:memory:` by default. */
  dbPath?: string;
  /** A perf sink wrapper, a clock, an alert notifier: handed to the production wiring as they are. */
  seams?: HostSeams;
  /** The provisioning deadline (the host's default otherwise). */
  deadlineMs?: number;
}

/** An AgentHost under test and the handles a test needs; `close()` closes the host, then the database. */
export interface TestHost extends AgentHost {
  /** The open database, for queries a test makes itself (closed by `close()`). */
  db: Awaited<ReturnType<typeof openDatabase>>;
  /** The fake engine behind the default docker adapter (unused when `adapters` were given). */
  docker: FakeDocker;
  logger: Logger;
  /** Every provisioning result in the order the store was handed it (caller mistakes and failures too). */
  results: ProvisionResult[];
  /** Every run (command) record the host handed its perf sink, in order (after `seams.perfSink`, if any). */
  runs: SandboxPerfRecord[];
  close(options?: { timeoutMs?: number }): Promise<CloseReport>;
}

const silent: Logger = { warn: () => {}, error: () => {} };

/** The docker kind's adapter as `openAgentHost()` makes it, on a fake engine. */
export function fakeDockerAdapter(docker: FakeDocker, logger: Logger): HostSandboxAdapter {
  return Object.assign(new DockerAdapter({ docker, engineAddress: 'fake-docker', logger }), {
    pidsOf: (spec: DockerSandboxSpec) => spec.resources?.pids ?? DEFAULT_DOCKER_RESOURCES.pids,
  });
}

/**
 * Opens an in-memory database and wires an AgentHost through `wireAgentHost()` (stores, alerts, metrics,
 * the host with the policy's caps and timers), on `FakeDocker` unless `adapters` are given.
 *
 * @example
 * const t = await createTestHost({ policy: { maxLivePerTenant: 1 } });
 * try {
 *   const { sandbox } = await t.host.provision('docker', { image: 'node:20' }, { tenant: 'a' });
 * } finally {
 *   await t.close();
 * }
 */
export async function createTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const logger = options.logger ?? silent;
  const docker = options.docker ?? new FakeDocker([DOCKER_TEST_IMAGE]);
  const dbPath = options.dbPath ?? ':memory:';
  const config: HostConfig = {
    dbPath,
    dockerHost: undefined,
    engineAddress: 'fake-docker',
    ...options.config,
    policy: { ...defaultPolicy(2), ...options.policy },
  };
  const adapters = options.adapters ?? { docker: fakeDockerAdapter(docker, logger) };
  const db = await openDatabase(dbPath);
  const runs: SandboxPerfRecord[] = [];
  const wrap = options.seams?.perfSink;
  const seams: HostSeams = {
    ...options.seams,
    perfSink: (sink) => {
      const inner = wrap ? wrap(sink) : sink;
      return {
        insert: (table, record) => {
          runs.push(record);
          return inner.insert(table, record);
        },
      };
    },
  };
  const agentHost = wireAgentHost(db, {
    ...{ config, logger, adapters, hostId: config.hostId ?? 'test-host' },
    ...{ seams, deadlineMs: options.deadlineMs },
  });
  // The store is the production recorder's last link: what it is handed is what the host measured.
  const results: ProvisionResult[] = [];
  const { kpis } = agentHost;
  const record = kpis.record.bind(kpis);
  kpis.record = (result, ...rest) => {
    results.push(result);
    return record(result, ...rest);
  };
  return { ...agentHost, db, docker, logger, results, runs };
}
