// `sbx bench docker` with an image that is not on the engine (#23): it used to retry for 2 min 3 s with 48
// warnings. On the real engine, with --pull never (a real pull would make the engine reach outside this machine).
import { beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, runCli } from './harness.js';

const missing = missingPrerequisite();

describe.skipIf(missing !== undefined && !process.env.CI)(
  'sbx bench with an image the engine does not have',
  () => {
    beforeAll(() => {
      // In CI a missing engine, image or build is a failure, never a skip.
      if (missing) throw new Error(missing);
    });

    it('fails once, at once, with one line naming the fix', async () => {
      const image = `sbx-test/never-built-${process.pid}:0`;
      const started = performance.now();
      const run = await runCli([
        'bench',
        'docker',
        '--image',
        image,
        '--pull',
        'never',
        '--count',
        '2',
        '--pool-size',
        '4',
      ]);
      const seconds = (performance.now() - started) / 1000;
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines.filter((line) => line.startsWith('sbx:'))).toEqual([
        `sbx: image ${image} is not on the engine and pull is 'never' - build or load it there first (docker build, docker load), or let it be pulled (pull: 'missing'; sbx serve pulls only from registries allowed with --allow-registry)`,
      ]);
      // Besides it, only the run's own progress line.
      expect(lines).toHaveLength(2);
      expect(seconds).toBeLessThan(20);
    });
  },
);
