// Every operation of the built sbx-agent once, in the offline busybox image with no network, on runc and on
// gVisor (runsc), from Node on the host through the socket: a background process listed, re-attached and
// killed; a PTY with a resize; a command as another user; files written, read, listed, moved and removed; a
// watch seeing a file created; a server on the sandbox's loopback reached through a port tunnel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GVISOR_RUNTIME,
  requireEngine,
  requireRunsc,
  skipWithoutEngine,
  skipWithoutRunsc,
} from '../src/docker/testing/real-engine.js';
import { buildAgent, removeAgents, startAgent, waitForSocket } from './agent-container.js';
import { call, type Frame, FrameConnection, Kind } from './frame-client.js';

beforeAll(buildAgent, 300_000);
afterAll(removeAgents);

async function open(socket: string, params: Record<string, unknown>): Promise<FrameConnection> {
  const conn = await FrameConnection.connect(socket);
  conn.send(Kind.open, { v: 1, ...params });
  return conn;
}

/** Reads frames until one of `kind` (an error frame throws), gathering the bytes of stdout and data frames. */
async function until(conn: FrameConnection, kind: number, text = { value: '' }): Promise<Frame> {
  for (;;) {
    const frame = await conn.next();
    if (frame.kind === kind) return frame;
    if (frame.kind === Kind.error) throw new Error(`agent error ${frame.payload.toString()}`);
    text.value += frame.payload.toString();
  }
}

async function untilText(conn: FrameConnection, wanted: string): Promise<string> {
  let seen = '';
  while (!seen.includes(wanted)) seen += (await conn.next()).payload.toString();
  return seen;
}

const json = (frame: Frame) => JSON.parse(frame.payload.toString());

for (const runtime of ['runc', GVISOR_RUNTIME]) {
  const skip = runtime === 'runc' ? skipWithoutEngine : skipWithoutRunsc;
  describe.skipIf(skip)(`every sbx-agent operation on ${runtime}`, () => {
    let socket = '';
    beforeAll(async () => {
      (runtime === 'runc' ? requireEngine : requireRunsc)();
      ({ socket } = await startAgent(runtime, ['sleep', '3600']));
      await waitForSocket(socket);
    });

    it('keeps a background process: listed, re-attached from a second connection, killed', async () => {
      const first = await open(socket, {
        op: 'run',
        cmd: ['sh', '-c', 'echo started; exec sleep 30'],
        background: true,
        tag: 'bg',
      });
      const { pid } = json(await until(first, Kind.ok));
      first.close();
      const ps = await call(socket, { op: 'ps' });
      expect(ps.end.processes).toContainEqual(expect.objectContaining({ pid, tag: 'bg', running: true }));
      const attach = await open(socket, { op: 'attach', pid });
      expect(json(await until(attach, Kind.ok))).toMatchObject({ pid, truncated: false });
      expect(await untilText(attach, 'started\n')).toBe('started\n');
      await call(socket, { op: 'signal', pid, signal: 'SIGKILL' });
      expect(json(await until(attach, Kind.end))).toEqual({ exitCode: 137, signal: 'SIGKILL' });
      attach.close();
    });

    it('runs sh on a PTY and resizes it; runs as another user; keeps stdin, cwd and env', async () => {
      const pty = await open(socket, { op: 'run', cmd: ['sh'], tty: { cols: 80, rows: 24 }, stdin: true });
      const { pid } = json(await until(pty, Kind.ok));
      pty.send(5, Buffer.from('stty size\n'));
      await untilText(pty, '24 80');
      await call(socket, { op: 'resize', pid, cols: 100, rows: 40 });
      pty.send(5, Buffer.from('stty size; exit 3\n'));
      await untilText(pty, '40 100');
      expect(json(await until(pty, Kind.end))).toEqual({ exitCode: 3 });
      pty.close();

      const as = await call(socket, { op: 'run', cmd: ['sh', '-c', 'id -u; id -g'], user: '65534:65534' });
      expect(as.stdout).toBe('65534\n65534\n');
      const run = await open(socket, {
        op: 'run',
        cmd: ['sh', '-c', 'pwd; echo $GREETING; cat'],
        cwd: '/tmp',
        env: { GREETING: 'hi there' },
        stdin: true,
      });
      await until(run, Kind.ok);
      run.send(5, Buffer.from('from stdin'));
      run.send(6, Buffer.alloc(0));
      const out = { value: '' };
      expect(json(await until(run, Kind.end, out))).toEqual({ exitCode: 0 });
      expect(out.value).toBe('/tmp\nhi there\nfrom stdin');
      run.close();
    });

    it('writes, reads, lists, moves and removes files, and watches a directory', async () => {
      const write = await open(socket, { op: 'write', path: '/tmp/agent-files/a/note.txt' });
      await until(write, Kind.ok);
      write.send(Kind.data, Buffer.from('hello '));
      write.send(Kind.data, Buffer.from('agent'));
      write.send(Kind.end, {});
      expect(json(await until(write, Kind.end))).toEqual({ size: 11 });
      write.close();
      const read = await open(socket, { op: 'read', path: '/tmp/agent-files/a/note.txt' });
      expect(json(await until(read, Kind.ok))).toEqual({ size: 11, mode: 0o644 });
      const body = { value: '' };
      await until(read, Kind.end, body);
      expect(body.value).toBe('hello agent');
      read.close();
      const list = await call(socket, { op: 'list', path: '/tmp/agent-files', depth: 2 });
      expect(list.end).toMatchObject({
        truncated: false,
        entries: [
          expect.objectContaining({ path: '/tmp/agent-files/a', type: 'directory' }),
          expect.objectContaining({ path: '/tmp/agent-files/a/note.txt', type: 'file', size: 11 }),
        ],
      });
      await call(socket, { op: 'move', from: '/tmp/agent-files/a/note.txt', to: '/tmp/agent-files/b/n.txt' });
      expect((await call(socket, { op: 'stat', path: '/tmp/agent-files/b/n.txt' })).end).toMatchObject({
        type: 'file',
        size: 11,
      });
      await call(socket, { op: 'remove', path: '/tmp/agent-files' });
      await expect(call(socket, { op: 'stat', path: '/tmp/agent-files' })).rejects.toThrow(/NOT_FOUND/);

      expect((await call(socket, { op: 'mkdir', path: '/tmp/watched/sub' })).end).toEqual({ created: true });
      const watch = await open(socket, { op: 'watch', path: '/tmp/watched', recursive: true });
      await until(watch, Kind.ok);
      await call(socket, { op: 'run', cmd: ['sh', '-c', 'echo x > /tmp/watched/sub/new.txt'] });
      const event = json(await until(watch, 8));
      expect(event).toEqual({ type: 'create', path: '/tmp/watched/sub/new.txt', isDir: false });
      watch.close();
    });

    it("tunnels a TCP connection to a server on the sandbox's loopback", async () => {
      await call(socket, {
        op: 'run',
        cmd: ['sh', '-c', 'mkdir -p /tmp/www && echo served > /tmp/www/index.html'],
      });
      const server = await open(socket, {
        op: 'run',
        cmd: ['httpd', '-f', '-p', '127.0.0.1:3000', '-h', '/tmp/www'],
        background: true,
      });
      const { pid } = json(await until(server, Kind.ok));
      server.close();
      let response = '';
      for (let attempt = 0; !response.includes('served') && attempt < 50; attempt++) {
        const tunnel = await open(socket, { op: 'port', port: 3000 });
        const first = await tunnel.next();
        if (first.kind === Kind.ok) {
          tunnel.send(Kind.data, Buffer.from('GET /index.html HTTP/1.0\r\n\r\n'));
          const text = { value: '' };
          await until(tunnel, Kind.end, text);
          response = text.value;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 100)); // httpd not listening yet
        }
        tunnel.close();
      }
      expect(response).toMatch(/^HTTP\/1\.[01] 200/);
      expect(response).toContain('served');
      await call(socket, { op: 'signal', pid, signal: 'SIGKILL' });
      await expect(call(socket, { op: 'port', port: 3999 })).rejects.toThrow(/CONNECTION_REFUSED/);
    });
  });
}
