import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_DEADLINES_PER_SANDBOX, ProcessDeadlines } from './process-deadlines.js';
import { FakeProcessAgent } from './testing/fake-process-agent.js';

afterEach(() => {
  vi.useRealTimers();
});

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe("background processes under the host's command time", () => {
  it('never kills a process that is not the one it started (another tag on that pid), nor one that ended', async () => {
    vi.useFakeTimers();
    const agent = new FakeProcessAgent();
    const deadlines = new ProcessDeadlines();
    const other = await agent.start(['sleep', '600'], { background: true, tag: 'someone-else' });
    deadlines.arm('box', agent, other.pid, 'mine', 100);
    const ended = await agent.start(['true'], { background: true, tag: 'done' });
    agent.end(ended.pid, { exitCode: 0 });
    deadlines.arm('box', agent, ended.pid, 'done', 100);
    await vi.advanceTimersByTimeAsync(100);
    await settle();
    expect(agent.processes.get(other.pid)?.info.running).toBe(true);
    expect(agent.processes.get(ended.pid)?.exit).toEqual({ exitCode: 0 });
    expect(agent.calls.signal).toBeUndefined();
    expect(deadlines.count('box')).toBe(0);
  });

  it(`holds at most ${MAX_DEADLINES_PER_SANDBOX} per sandbox: ended ones are forgotten first, then a 429`, async () => {
    const agent = new FakeProcessAgent();
    const deadlines = new ProcessDeadlines();
    const pids: number[] = [];
    for (let i = 0; i < MAX_DEADLINES_PER_SANDBOX; i++) {
      const p = await agent.start(['sleep', '600'], { background: true, tag: `t${i}` });
      deadlines.arm('box', agent, p.pid, `t${i}`, 600_000);
      pids.push(p.pid);
    }
    await expect(deadlines.reserve('box', agent)).rejects.toMatchObject({ code: 'TOO_MANY_CONCURRENT' });
    agent.end(pids[0] as number, { exitCode: 0 });
    await expect(deadlines.reserve('box', agent)).resolves.toBeUndefined();
    expect(deadlines.count('box')).toBe(MAX_DEADLINES_PER_SANDBOX - 1);
    await expect(deadlines.reserve('other-box', agent)).resolves.toBeUndefined();
  });
});
