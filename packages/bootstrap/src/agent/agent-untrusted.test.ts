// Code in the sandbox can kill the agent and answer in its place: every way a lying or flooding agent may
// answer ends in a bounded error or a bounded result for that one call, and the connection is closed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME, SandboxAgent, UnixSocketTransport } from '@sbx/bootstrap';
import { type FakeAgentIo, FakeAgentServer } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from './frame-codec.js';

let dir: string | undefined;
let fake: FakeAgentServer | undefined;

afterEach(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function lyingAgent(answer: (io: FakeAgentIo) => Promise<void> | void, answerTimeoutMs = 2_000) {
  dir = mkdtempSync(join(tmpdir(), 'sbx-liar-'));
  const server = await FakeAgentServer.listen(join(dir, 'agent.sock'), {
    intercept: async (io) => {
      await answer(io);
      return true;
    },
  });
  fake = server;
  const agent = new SandboxAgent({ transport: new UnixSocketTransport(server.path), answerTimeoutMs });
  const allClosed = async () => {
    await expect.poll(() => server.openConnections).toBe(0);
  };
  return { agent, allClosed };
}

const header = (kind: number, length: number) => {
  const bytes = Buffer.alloc(5);
  bytes.writeUInt8(kind, 0);
  bytes.writeUInt32BE(length, 1);
  return bytes;
};

describe('a lying agent', () => {
  it.each([
    [
      'a frame header over 1 MiB',
      (io: FakeAgentIo) => io.raw(header(FRAME.stdout, 0xffffffff)),
      /over 1 MiB/,
    ],
    ['an unknown frame kind', (io: FakeAgentIo) => io.raw(header(99, 0)), /unknown frame kind 99/],
    [
      'a payload that is not JSON',
      (io: FakeAgentIo) => io.raw(Buffer.concat([header(FRAME.end, 3), Buffer.from('{{{')])),
      /no valid JSON/,
    ],
    [
      'JSON over 64 KiB',
      (io: FakeAgentIo) =>
        io.raw(encodeFrame(FRAME.data, Buffer.from(`{"x":"${'a'.repeat(70_000)}"}`)).fill(FRAME.end, 0, 1)),
      /over 64 KiB/,
    ],
    [
      'an exit code that is no exit code',
      (io: FakeAgentIo) => io.finish(FRAME.end, { exitCode: 1e12 }),
      /exitCode must be an integer/,
    ],
    [
      'an exit code of the wrong type',
      (io: FakeAgentIo) => io.finish(FRAME.end, { exitCode: '0' }),
      /exitCode must be an integer/,
    ],
    [
      'an error code it does not know',
      (io: FakeAgentIo) => io.finish(FRAME.error, { code: 'PWNED', message: 'x' }),
      /field code must be one of/,
    ],
    [
      'a frame the operation does not have',
      (io: FakeAgentIo) => io.finish(FRAME.event, {}),
      /a run sent frame kind 8/,
    ],
  ])('%s is AGENT_PROTOCOL for that call only', async (_name, answer, message) => {
    const { agent, allClosed } = await lyingAgent(async (io) => {
      if (io.request.op === 'run') await io.send(FRAME.ok, { pid: 7 });
      await answer(io);
    });
    const error = await agent.run(['true']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AGENT_PROTOCOL', failureCause: 'caller' });
    expect((error as Error).message).toMatch(message);
    await allClosed();
  });

  it('a silent agent is AGENT_UNAVAILABLE after the answer timeout, and so is one that hangs up mid-run', async () => {
    const silent = await lyingAgent(() => {}, 50);
    await expect(silent.agent.ps()).rejects.toMatchObject({
      code: 'AGENT_UNAVAILABLE',
      message: expect.stringMatching(/no answer to ps within 50 ms/),
    });
    await silent.allClosed();
    await fake?.close();
    const hangsUp = await lyingAgent(async (io) => {
      await io.send(FRAME.ok, { pid: 7 });
      await io.send(FRAME.stdout, Buffer.from('half'));
      io.close();
    });
    await expect(hangsUp.agent.run(['true'])).rejects.toMatchObject({ code: 'AGENT_UNAVAILABLE' });
  });

  it('a flood of output keeps only maxOutputBytes', async () => {
    const { agent } = await lyingAgent(async (io) => {
      await io.send(FRAME.ok, { pid: 7 });
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 32; i += 1) await io.send(FRAME.stdout, chunk);
      await io.finish(FRAME.end, { exitCode: 0 });
    });
    const result = await agent.run(['yes'], { maxOutputBytes: 1000 });
    expect(result.stdout.length).toBe(1000);
    expect(result.stdoutTruncated).toBe(true);
  });

  it('a read that sends more than its size or maxBytes is cut off with FILE_TOO_LARGE', async () => {
    const { agent, allClosed } = await lyingAgent(async (io) => {
      await io.send(FRAME.ok, { size: 10, mode: 0o644 });
      for (let i = 0; i < 100; i += 1) await io.send(FRAME.data, Buffer.alloc(64 * 1024));
      await io.finish(FRAME.end, {});
    });
    const read = await agent.readFile('/etc/passwd', { maxBytes: 100_000 });
    let got = 0;
    const reading = (async () => {
      for await (const chunk of read.body) got += chunk.byteLength;
    })();
    await expect(reading).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(got).toBeLessThanOrEqual(100_000);
    await allClosed();
  });

  it('an error message is bounded to 1 KiB without control characters', async () => {
    const { agent } = await lyingAgent((io) =>
      io.finish(FRAME.error, { code: 'PERMISSION_DENIED', message: `\u001b[31m${'x'.repeat(5000)}\n` }),
    );
    const error = (await agent.stat('/root').catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'AGENT_REFUSED', agentCode: 'PERMISSION_DENIED' });
    expect(error.message.length).toBeLessThan(1200);
    expect([...error.message].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);
  });

  it('watch events with relative paths or unknown types are refused', async () => {
    const { agent } = await lyingAgent(async (io) => {
      await io.send(FRAME.ok, {});
      await io.send(FRAME.event, { type: 'create', path: '../../etc', isDir: false });
    });
    const events = agent.watch('/');
    await expect(events.next()).rejects.toMatchObject({ code: 'AGENT_PROTOCOL' });
  });

  it('a list or ps answer may fill its frame (900 KiB of entries); any other answer stays within 64 KiB', async () => {
    const entry = (i: number) => ({
      name: `f${i}`,
      path: `/d/${'x'.repeat(200)}${i}`,
      type: 'file',
      size: 1,
      mode: 420,
      mtimeMs: 0,
    });
    const entries = Array.from({ length: 1500 }, (_, i) => entry(i));
    const json = (value: object) => Buffer.from(JSON.stringify(value));
    const { agent } = await lyingAgent(async (io) => {
      const answer =
        io.request.op === 'list' ? { entries, truncated: false } : { ...entry(0), name: 'n'.repeat(70_000) };
      await io.send(FRAME.end, json(answer));
      await io.finish();
    });
    expect((await agent.list('/d')).entries).toHaveLength(1500);
    await expect(agent.stat('/d/x')).rejects.toMatchObject({ code: 'AGENT_PROTOCOL' });
  });
});
