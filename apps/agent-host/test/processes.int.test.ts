// Processes and the terminal through `sbx serve` and the in-sandbox agent on the real engine, runc and runsc: a
// background `sleep 30` listed, re-attached from a second client, killed; stdin; cwd, env and user; a terminal
// running sh with a resize (`stty size` shows it); a sandbox without the agent says so. Only loopback is used.
import { SbxClient, type WebSocketFactory } from '@sbx/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { missingRunsc, READY_CMD, startServe, TEST_IMAGE, tempDb, until } from './harness.js';

const missing = missingRunsc();
type Serve = Awaited<ReturnType<typeof startServe>>;
const webSocket: WebSocketFactory = (url, headers) => new WebSocket(url, { headers }) as never;

// With CI=true a missing engine, image or runsc fails every test (beforeAll throws) instead of skipping them.
describe.skipIf(missing !== undefined && !process.env.CI)(
  'processes and the terminal through sbx serve',
  () => {
    let serve: Serve;
    beforeAll(async () => {
      if (missing) throw new Error(missing);
      serve = await startServe(tempDb(), ['--allow-runtime', 'runsc']);
    });
    afterAll(async () => {
      serve?.child.kill('SIGTERM');
      await serve?.exited;
    });

    const client = () => new SbxClient({ baseUrl: serve.base, token: serve.token });

    describe.each(['runc', 'runsc'])('on %s', (runtime) => {
      let id: string;
      beforeAll(async () => {
        const box = await client().sandboxes.create({
          image: TEST_IMAGE,
          pull: 'never',
          cmd: READY_CMD,
          ready: 'log:^ready$',
          runtime,
        });
        id = box.id;
      }, 30_000);
      afterAll(async () => {
        await client().sandboxes.get(id).kill();
      });

      it('says it has the agent', async () => {
        expect(await client().sandboxes.get(id).info()).toMatchObject({ runtime, agent: true });
      });

      it('a background sleep 30 is listed, re-attached from a second client, and killed', async () => {
        const first = client().sandboxes.get(id);
        const process = await first.startProcess("sh -c 'echo started; exec sleep 30'");
        const listed = await first.processes();
        expect(listed).toEqual(
          expect.arrayContaining([expect.objectContaining({ pid: process.pid, running: true })]),
        );
        const second = client().sandboxes.get(id).reconnect(process.pid);
        const followed = second.wait();
        await new Promise((resolve) => setTimeout(resolve, 200));
        await process.kill('SIGKILL');
        const exit = await followed;
        expect(exit).toMatchObject({ exitCode: 137, signal: 'SIGKILL', stdout: 'started\n' });
        const after = await first.processes();
        expect(after.find((p) => p.pid === process.pid)).toMatchObject({ running: false });
      });

      it('stdin written over HTTP reaches a background cat', async () => {
        const box = client().sandboxes.get(id);
        const process = await box.startProcess(['cat']);
        await process.sendStdin('one\n');
        await process.sendStdin(new Uint8Array([0x74, 0x77, 0x6f, 0x0a]));
        await process.closeStdin();
        expect(await process.wait()).toMatchObject({ exitCode: 0, stdout: 'one\ntwo\n' });
      });

      it('runs with cwd, env and user', async () => {
        const box = client().sandboxes.get(id);
        const result = await box.exec(['sh', '-c', 'pwd; echo $GREETING; id -u'], {
          cwd: '/tmp',
          env: { GREETING: 'hi' },
          user: '1000',
        });
        expect(result).toMatchObject({ exitCode: 0, stdout: '/tmp\nhi\n1000\n' });
      });

      it('a terminal runs sh; a resize shows in stty size', async () => {
        let screen = '';
        const terminal = await client()
          .sandboxes.get(id)
          .terminal({
            cols: 80,
            rows: 24,
            webSocket,
            onData: (bytes) => {
              screen += new TextDecoder().decode(bytes);
            },
          });
        terminal.write('stty size\n');
        await until(() => screen.includes('24 80'), 10_000, 'stty size to print 24 80');
        terminal.resize(132, 40);
        terminal.write('stty size\n');
        await until(() => screen.includes('40 132'), 10_000, 'stty size to print 40 132');
        terminal.write('exit 3\n');
        expect(await terminal.exited).toMatchObject({ exitCode: 3, closeCode: 1000 });
      });
    });

    it('a sandbox created without the agent says so, runs cwd/env through Docker exec, refuses background (409)', async () => {
      const box = await client().sandboxes.create({
        image: TEST_IMAGE,
        pull: 'never',
        cmd: READY_CMD,
        ready: 'log:^ready$',
        agent: false,
      } as never);
      try {
        expect(await box.info()).toMatchObject({ agent: false });
        const result = await box.exec(['sh', '-c', 'pwd; echo $A'], { cwd: '/tmp', env: { A: '1' } });
        expect(result.stdout).toBe('/tmp\n1\n');
        const refused = await box.startProcess('sleep 1').catch((e: unknown) => e);
        expect(refused).toMatchObject({ code: 'AGENT_UNAVAILABLE', status: 409 });
      } finally {
        await box.kill();
      }
    }, 30_000);
  },
);
