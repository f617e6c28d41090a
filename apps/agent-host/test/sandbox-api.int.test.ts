// The sandbox API an agent works in, against `sbx serve` on the real engine: streaming exec, concurrent
// commands, files, lifecycle and idle auto-stop.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, READY_CMD, startServe, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingPrerequisite();
type Serve = Awaited<ReturnType<typeof startServe>>;

async function ndjson(response: Response): Promise<Array<{ at: number; line: Record<string, unknown> }>> {
  const started = performance.now();
  const lines: Array<{ at: number; line: Record<string, unknown> }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      lines.push({ at: performance.now() - started, line: JSON.parse(buffer.slice(0, newline)) });
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  return lines;
}

describe.skipIf(missing !== undefined && !process.env.CI)('the sandbox API on the real engine', () => {
  let server: Serve;
  let id: string;
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    server = await startServe(tempDb(), ['--max-file-bytes', String(11 * 1024 * 1024)], {
      SBX_IDLE_TIMEOUT_MS: '4000',
    });
    const created = await server.api('POST', '/v1/sandboxes', {
      type: 'docker',
      image: TEST_IMAGE,
      cmd: READY_CMD,
      ready: 'log:ready',
    });
    expect(created.status).toBe(201);
    id = (await created.json()).id;
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  const exec = (body: unknown, signal?: AbortSignal) =>
    fetch(`${server.base}/v1/sandboxes/${id}/exec`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.token}`,
        'content-type': 'application/json',
        accept: 'application/x-ndjson',
      },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });

  it('streams 5 lines printed 200 ms apart as 5 events before the exit line', async () => {
    const response = await exec({ cmd: 'for i in 1 2 3 4 5; do echo "line $i"; sleep 0.2; done' });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const events = await ndjson(response);
    const output = events.filter((e) => 'stream' in e.line);
    expect(output.map((e) => e.line.data)).toEqual([
      'line 1\n',
      'line 2\n',
      'line 3\n',
      'line 4\n',
      'line 5\n',
    ]);
    expect(events.at(-1)?.line).toMatchObject({
      exit: { exitCode: 0, outcome: 'success', truncated: false },
    });
    // Each line arrived as it was printed: the first ~800 ms before the last.
    const gaps = output.slice(1).map((e, i) => e.at - (output[i]?.at ?? 0));
    console.log(
      `stream arrivals (ms): ${output.map((e) => Math.round(e.at)).join(', ')}; exit at ${Math.round(events.at(-1)?.at ?? 0)}`,
    );
    expect((output[4]?.at ?? 0) - (output[0]?.at ?? 0)).toBeGreaterThan(600);
    for (const gap of gaps) expect(gap).toBeGreaterThan(100);
  });

  it('runs 3 commands at once in one sandbox, stdin and binary output included', async () => {
    const started = performance.now();
    const [a, b, c] = await Promise.all([
      exec({ cmd: 'sleep 1; echo a' }).then(ndjson),
      exec({ cmd: 'sleep 1; cat', stdin: 'from stdin' }).then(ndjson),
      exec({ cmd: "sleep 1; printf '\\377\\000'; exit 4" }).then(ndjson),
    ]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2_500);
    expect(a?.map((e) => e.line)).toEqual([
      { stream: 'stdout', data: 'a\n' },
      expect.objectContaining({ exit: expect.objectContaining({ exitCode: 0 }) }),
    ]);
    expect(b?.[0]?.line).toEqual({ stream: 'stdout', data: 'from stdin' });
    expect(c?.[0]?.line).toEqual({
      stream: 'stdout',
      data: Buffer.from([0xff, 0]).toString('base64'),
      encoding: 'base64',
    });
    expect(c?.at(-1)?.line).toMatchObject({ exit: { exitCode: 4, outcome: 'error' } });
    const report = await (await server.api('GET', '/v1/perf/report')).json();
    expect(report.count).toBeGreaterThanOrEqual(4);
  });

  it('a client that disconnects aborts its command', async () => {
    const controller = new AbortController();
    const response = await exec({ cmd: 'echo started; sleep 30; touch /tmp/not-aborted' }, controller.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first line: the command runs
    const before = performance.now();
    controller.abort();
    // The command is killed: no sleep is left in the sandbox.
    let left = '';
    for (let i = 0; i < 40; i++) {
      const ps = await (await server.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: 'ps' })).json();
      left = ps.stdout;
      if (!left.includes('sleep 30')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).not.toContain('sleep 30');
    console.log(`disconnect -> command gone in ${Math.round(performance.now() - before)} ms`);
  });

  it('a 10 MiB file round-trips byte-exact; a directory round-trips as tar; listing; 404 and 413', async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const put = await fetch(`${server.base}/v1/sandboxes/${id}/files?path=/tmp/up/blob.bin&mode=600`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
      body: data,
    });
    expect(put.status).toBe(201);
    const got = await fetch(`${server.base}/v1/sandboxes/${id}/files?path=/tmp/up/blob.bin`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(got.headers.get('x-sbx-file-mode')).toBe('0600');
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);

    const listed = await (await server.api('GET', `/v1/sandboxes/${id}/files?path=/tmp/up&list=1`)).json();
    expect(listed.entries).toEqual([
      expect.objectContaining({ name: 'blob.bin', type: 'file', size: data.length, mode: '0600' }),
    ]);

    // A tar out of one directory, into another, and back: the same entries and bytes.
    await server.api('POST', `/v1/sandboxes/${id}/exec`, {
      cmd: 'mkdir -p /tmp/src/sub && echo one > /tmp/src/a && echo two > /tmp/src/sub/b',
    });
    const tar = Buffer.from(
      await (await server.api('GET', `/v1/sandboxes/${id}/files?path=/tmp/src`)).arrayBuffer(),
    );
    const back = await fetch(`${server.base}/v1/sandboxes/${id}/files?path=/tmp/dst`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/x-tar' },
      body: tar,
    });
    expect(back.status).toBe(201);
    const diff = await (
      await server.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: 'diff -r /tmp/src /tmp/dst && echo same' })
    ).json();
    expect(diff.stdout).toBe('same\n');

    expect((await server.api('GET', `/v1/sandboxes/${id}/files?path=/tmp/none`)).status).toBe(404);
    const big = await fetch(`${server.base}/v1/sandboxes/${id}/files?path=/tmp/big`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(12 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect((await server.api('GET', `/v1/sandboxes/${id}/files?path=relative`)).status).toBe(400);
    const ro = await fetch(`${server.base}/v1/sandboxes/${id}/files?path=/etc/x`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
      body: 'x',
    });
    expect(ro.status).toBe(409);
    expect((await ro.json()).error.code).toBe('READ_ONLY_PATH');
  });

  it('lists, describes, extends the TTL and reads the logs', async () => {
    const list = await (await server.api('GET', '/v1/sandboxes')).json();
    expect(list.sandboxes).toEqual([
      expect.objectContaining({ id, type: 'docker', state: 'live', image: TEST_IMAGE, pool: null }),
    ]);
    const one = await (await server.api('GET', `/v1/sandboxes/${id}`)).json();
    const extended = await (
      await server.api('POST', `/v1/sandboxes/${id}/ttl`, { ttlMs: 2 * 60 * 60 * 1000 })
    ).json();
    expect(Date.parse(extended.expiresAt)).toBeGreaterThan(Date.parse(one.expiresAt));
    expect(
      (await server.api('POST', `/v1/sandboxes/${id}/ttl`, { ttlMs: 8 * 24 * 60 * 60 * 1000 })).status,
    ).toBe(400);
    const logs = await ndjson(await server.api('GET', `/v1/sandboxes/${id}/logs`));
    expect(logs.map((e) => e.line)).toEqual([
      { stream: 'stdout', data: 'ready\n' },
      { end: { truncated: false } },
    ]);
  });

  it('follows the logs: later output arrives while the response stays open', async () => {
    const created = await server.api('POST', '/v1/sandboxes', {
      type: 'docker',
      image: TEST_IMAGE,
      cmd: "sh -c 'echo ready; sleep 0.6; echo later; exec sleep 3600'",
      ready: 'log:ready',
    });
    const box = (await created.json()).id;
    const controller = new AbortController();
    const response = await fetch(`${server.base}/v1/sandboxes/${box}/logs?follow=1`, {
      headers: { authorization: `Bearer ${server.token}` },
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const started = performance.now();
    while (!text.includes('later')) text += decoder.decode((await reader.read()).value, { stream: true });
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { stream: 'stdout', data: 'ready\n' },
      { stream: 'stdout', data: 'later\n' },
    ]);
    expect(performance.now() - started).toBeGreaterThan(200);
    controller.abort();
    expect((await server.api('DELETE', `/v1/sandboxes/${box}`)).status).toBe(204);
  });

  it('stops a sandbox idle for idleTimeoutMs: it is then gone (idle)', async () => {
    const created = await server.api('POST', '/v1/sandboxes', {
      type: 'docker',
      image: TEST_IMAGE,
      cmd: READY_CMD,
      ready: 'log:ready',
    });
    const idle = (await created.json()).id;
    let status = 0;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      status = (await server.api('GET', `/v1/sandboxes/${idle}`)).status;
      if (status === 410) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const gone = await server.api('GET', `/v1/sandboxes/${idle}`);
    expect(gone.status).toBe(410);
    expect((await gone.json()).error.message).toContain('(idle)');
  });
});
