import { create } from '@bufbuild/protobuf';
import type { HandlerContext } from '@connectrpc/connect';
import type { SandboxHandle } from '@sbx/bootstrap';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../compose/testing/create-test-host.js';
import type { HostAgent } from '../core/host-adapter.js';
import { FakeProcessAgent } from '../core/testing/fake-process-agent.js';
import { AgentProcesses } from './agent-processes.js';
import { E2bHost } from './e2b-host.js';
import { StartRequestSchema } from './gen/process/process_pb.js';
import type { SandboxCall } from './sandbox-context.js';

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

// The test kit's host (its perf monitor's runs in `records`) over a sandbox served by the fake agent.
async function setup() {
  const agent = new FakeProcessAgent();
  t = await createTestHost({
    config: { alertThresholdMs: 1_000_000 },
    adapters: {
      docker: {
        type: 'docker',
        provision: async () =>
          ({
            id: 'sb',
            type: 'docker',
            agent,
            exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
            dispose: async () => {},
            [Symbol.asyncDispose]: async () => {},
          }) as unknown as SandboxHandle,
      },
    },
  });
  const { sandbox } = await t.host.provision('docker', {});
  const processes = new AgentProcesses(new E2bHost({ service: t.service }));
  const call = {
    sandbox,
    record: { tenant: 'default' },
    user: undefined,
    sandboxUser: 'user',
  } as SandboxCall;
  const run = (headers: Record<string, string> = {}) => {
    const ctx = { signal: new AbortController().signal, requestHeader: new Headers(headers) };
    const req = create(StartRequestSchema, { process: { cmd: '/bin/bash', args: ['-l', '-c', 'x'] } });
    return processes.start(agent as unknown as HostAgent, call, req, ctx as unknown as HandlerContext);
  };
  return { agent, records: t.runs, run };
}

// Drives a start stream: `act(pid)` once it started; resolves to the events' cases.
async function drive(
  stream: AsyncGenerator<{ event: { event: { case?: string } } }>,
  act: (pid: number) => void,
) {
  const cases: Array<string | undefined> = [];
  for await (const { event } of stream) {
    cases.push(event.event.case);
    if (event.event.case === 'start') act((event.event as { value: { pid: number } }).value.pid);
  }
  return cases;
}

describe('commands through the agent are perf runs', () => {
  it('one record per command: success on exit 0, error on another exit', async () => {
    const { agent, records, run } = await setup();
    const cases = await drive(run(), (pid) => {
      agent.print(pid, 'hi\n');
      agent.end(pid, { exitCode: 0 });
    });
    expect(cases).toEqual(['start', 'data', 'end']);
    await drive(run(), (pid) => agent.end(pid, { exitCode: 2 }));
    expect(records.map((r) => [r.sandboxId, r.outcome])).toEqual([
      ['sb', 'success'],
      ['sb', 'error'],
    ]);
  });

  it('a command its deadline (Connect-Timeout-Ms) killed is a timeout', async () => {
    const { records, run } = await setup();
    await drive(run({ 'connect-timeout-ms': '30' }), () => {});
    expect(records.map((r) => r.outcome)).toEqual(['timeout']);
  });

  it('a caller gone before the end is an error run, recorded once', async () => {
    const { records, run } = await setup();
    const stream = run();
    expect((await stream.next()).value?.event.event.case).toBe('start');
    await stream.return(undefined);
    expect(records.map((r) => r.outcome)).toEqual(['error']);
  });
});
