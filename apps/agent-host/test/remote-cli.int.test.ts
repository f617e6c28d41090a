// The everyday CLI (`sbx create/exec/ls/rm/logs/cp`) against a running `sbx serve` on the real engine.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, READY_CMD, runCli, startServe, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingPrerequisite();

describe.skipIf(missing !== undefined && !process.env.CI)(
  'sbx create/exec/ls/rm/logs/cp on the real engine',
  () => {
    let server: Awaited<ReturnType<typeof startServe>>;
    let remote: string[];
    beforeAll(async () => {
      if (missing) throw new Error(missing);
      server = await startServe(tempDb());
      remote = ['--url', server.base, '--token-file', server.tokenFile];
    });
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
    });
    const sbx = (...args: string[]) => runCli([...args.slice(0, 1), ...remote, ...args.slice(1)]);

    it('creates, runs (exit code and streams), copies both ways, lists, reads logs and removes', async () => {
      const created = await sbx('create', '--image', TEST_IMAGE, '--cmd', READY_CMD, '--ready', 'log:ready');
      expect(created).toMatchObject({ code: 0, stderr: '' });
      const id = created.stdout.trim();
      expect(id).toMatch(/^\S+$/);

      const run = await sbx('exec', id, '--', 'sh', '-c', 'echo out; echo err >&2; exit 7');
      expect(run).toMatchObject({ code: 7, stdout: 'out\n', stderr: 'err\n' });
      const json = await sbx('exec', '--json', id, '--', 'echo hi');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 0, outcome: 'success', stdout: 'hi\n' });

      const dir = mkdtempSync(join(tmpdir(), 'sbx-cp-'));
      writeFileSync(join(dir, 'in.txt'), 'from the host\n');
      expect((await sbx('cp', join(dir, 'in.txt'), `${id}:/tmp/x/in.txt`)).code).toBe(0);
      expect((await sbx('exec', id, '--', 'cat /tmp/x/in.txt')).stdout).toBe('from the host\n');
      expect((await sbx('cp', `${id}:/tmp/x/in.txt`, join(dir, 'out.txt'))).code).toBe(0);
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('from the host\n');

      const ls = JSON.parse((await sbx('ls', '--json')).stdout);
      expect(ls.sandboxes).toEqual([expect.objectContaining({ id, image: TEST_IMAGE })]);
      expect((await sbx('ls')).stdout).toMatch(new RegExp(`^ID\\s+IMAGE[\\s\\S]*${id}`));
      expect((await sbx('logs', id)).stdout).toBe('ready\n');

      expect((await sbx('rm', id)).code).toBe(0);
      const gone = await sbx('exec', '--json', id, '--', 'true');
      expect(gone.code).toBe(1);
      expect(JSON.parse(gone.stdout)).toEqual({
        error: { code: 'NOT_FOUND', message: `no live sandbox ${id}`, status: 404 },
      });
      const plain = await sbx('exec', id, '--', 'true');
      expect(plain).toMatchObject({ code: 1, stderr: `sbx: no live sandbox ${id} (NOT_FOUND)\n` });
    });

    it('says what to do without a token file', async () => {
      const result = await runCli(['ls', '--url', server.base, '--token-file', '/nonexistent/token']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('cannot read the token file /nonexistent/token');
    });
  },
);
