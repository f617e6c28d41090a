import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPoolFile } from '../compose/pool-file.js';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { admitPools, parsePools } from './service-pools.js';

const policy = defaultPolicy(2);
const spec = {
  type: 'docker',
  image: 'sbx-test/busybox:latest',
  cmd: "sh -c 'echo ready; exec sleep 3600'",
  ready: 'log:^ready$',
};

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sbx-pools-')), 'pools.json');
  writeFileSync(path, text);
  return path;
}

describe('loadPoolFile', () => {
  it('turns each entry into a pool with its spec validated and held to the policy', () => {
    const [py] = loadPoolFile(
      file(JSON.stringify([{ name: 'py', size: 4, spec: { ...spec, deadlineMs: 5_000 } }])),
      policy,
    );
    expect(py).toMatchObject({ name: 'py', type: 'docker', size: 4, deadlineMs: 5_000 });
    expect(py?.spec).toMatchObject({
      image: 'sbx-test/busybox:latest',
      cmd: ['sh', '-c', 'echo ready; exec sleep 3600'],
      ready: { kind: 'log', pattern: '^ready$' },
      readOnlyRootfs: true,
      resources: { cpus: 1, memoryBytes: 512 * 1024 * 1024, pids: 256 },
    });
  });

  it.each([
    ['not JSON', '[{', /is not valid JSON/],
    ['not an array', '{"name":"py"}', /must be a JSON array/],
    ['a bad size', JSON.stringify([{ name: 'py', size: 0, spec }]), /pool "py" \(entry 0\): size: Too small/],
    [
      'an unknown field',
      JSON.stringify([{ name: 'py', size: 1, spec, extra: 1 }]),
      /pool "py" \(entry 0\): \(body\): Unrecognized key/,
    ],
    [
      'a bad name',
      JSON.stringify([{ name: '../x', size: 1, spec }]),
      /pool "..\/x" \(entry 0\): name: must be 1-64 letters/,
    ],
    [
      'a spec field the request schema refuses',
      JSON.stringify([{ name: 'py', size: 1, spec: { ...spec, image: '' } }]),
      /pool "py" \(entry 0\): spec\.image: is required/,
    ],
    [
      'a spec over the policy',
      JSON.stringify([{ name: 'js', size: 1, spec: { ...spec, resources: { cpus: 64 } } }]),
      /pool "js" \(entry 0\): spec\.resources\.cpus: must be from 0\.01 to 2, got 64 \(server policy\)/,
    ],
    [
      'a spec without a type',
      JSON.stringify([{ name: 'py', size: 1, spec: { image: 'x' } }]),
      /pool "py" \(entry 0\): spec\.type: must be one of 'docker', got undefined/,
    ],
    [
      'a bad readiness probe',
      JSON.stringify([{ name: 'py', size: 1, spec: { ...spec, ready: 'log:(' } }]),
      /pool "py" \(entry 0\): spec\.ready:/,
    ],
    [
      'a name twice',
      JSON.stringify([
        { name: 'py', size: 1, spec },
        { name: 'py', size: 1, spec },
      ]),
      /pool "py" is declared twice/,
    ],
  ])('refuses %s with one INVALID_CONFIG naming the pool and field', (_label, text, message) => {
    const path = file(text);
    const error = (() => {
      try {
        loadPoolFile(path, policy);
      } catch (e) {
        return e;
      }
    })() as { code: string; message: string; exitCode: number };
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', exitCode: 2 });
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`--pool-file ${path}: `)).toBe(true);
  });

  it('refuses a missing file, and pools that leave no room under --max-live-total', () => {
    expect(() => loadPoolFile('/nonexistent/pools.json', policy)).toThrow(
      /--pool-file \/nonexistent\/pools.json: cannot be read/,
    );
    expect(() =>
      parsePools(
        [
          { name: 'a', size: 60, spec },
          { name: 'b', size: 40, spec },
        ],
        policy,
        'p.json',
      ),
    ).toThrow('the pools keep 100 sandboxes ready but the host runs at most 100 (--max-live-total)');
  });
});

describe('admitPools', () => {
  const runtimes = {
    default: 'runc',
    runtimes: [
      { name: 'runc', networkNone: false },
      { name: 'runsc', networkNone: true },
    ],
  };
  const adapter = {
    type: 'docker' as const,
    provision: async () => ({}) as never,
    listRuntimes: async () => runtimes,
  };
  const pools = (extra: Record<string, unknown>, p = policy) =>
    parsePools([{ name: 'gv', size: 2, spec: { ...spec, ...extra } }], p, 'pools.json');

  it('a pool may run on any runtime the policy allows and the engine has', async () => {
    const allowing = { ...policy, allowedRuntimes: ['runsc'] };
    const gv = pools({ runtime: 'runsc' }, allowing);
    await admitPools(gv, allowing, { adapter: () => adapter }, 'pools.json');
    expect(gv[0]?.spec).toMatchObject({ runtime: 'runsc' });
  });

  it('names the file, the pool and the field when it may not', async () => {
    await expect(
      admitPools(pools({ runtime: 'runsc' }), policy, { adapter: () => adapter }, 'pools.json'),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(
          /^--pool-file pools.json: pool "gv": spec.runtime: "runsc" is not allowed/,
        ),
      }),
    );
    const allowing = { ...policy, allowedRuntimes: ['kata'] };
    await expect(
      admitPools(pools({ runtime: 'kata' }, allowing), allowing, { adapter: () => adapter }, 'pools.json'),
    ).rejects.toThrow(/pool "gv": spec.runtime: the Docker engine has no runtime "kata"; it has runc, runsc/);
  });
});
