import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES, buildCommandFor, resolveTemplate, templateHash } from './template-catalog.js';
import { parseTemplate } from './template-schema.js';

const file = (json: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sbx-tpl-')), 't.json');
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
};

describe('templates', () => {
  it('ships base, node and python, each valid, with the unprivileged user and tini', () => {
    for (const name of BUILTIN_TEMPLATES) {
      const { definition, hash } = resolveTemplate(name);
      expect(definition.name).toBe(name);
      expect(definition.user).toEqual({ name: 'user', uid: 1000, home: '/home/user' });
      expect(definition.packages).toEqual(
        expect.arrayContaining(['bash', 'coreutils', 'procps', 'ca-certificates', 'tini']),
      );
      expect(hash).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(resolveTemplate('node').definition.packages).toEqual(expect.arrayContaining(['nodejs', 'npm']));
    expect(resolveTemplate('python').definition.packages).toEqual(
      expect.arrayContaining(['python3', 'python3-pip', 'python3-venv']),
    );
  });

  it('hashes what the image is built from: a changed package list is a new hash, order and description are not', () => {
    const t = parseTemplate(JSON.stringify({ name: 'x', packages: ['bash', 'curl'] }), 'x');
    const same = parseTemplate(
      JSON.stringify({ name: 'x', packages: ['curl', 'bash'], description: 'd' }),
      'x',
    );
    const changed = parseTemplate(JSON.stringify({ name: 'x', packages: ['bash', 'curl', 'jq'] }), 'x');
    const steps = parseTemplate(
      JSON.stringify({ name: 'x', packages: ['bash', 'curl'], dockerfile: 'RUN true' }),
      'x',
    );
    expect(templateHash(same)).toBe(templateHash(t));
    expect(templateHash(changed)).not.toBe(templateHash(t));
    expect(templateHash(steps)).not.toBe(templateHash(t));
    expect(resolveTemplate(file({ name: 'x', packages: ['bash', 'curl'] })).hash).toBe(templateHash(t));
  });

  it.each([
    [{ name: 'Bad Name' }, 'name: must be lower-case'],
    [{ name: 'x', packages: ['bash; rm -rf /'] }, 'packages.0: must be a Debian package name'],
    [{ name: 'x', suite: '../../etc' }, 'suite: must be a Debian suite name'],
    [{ name: 'x', files: [{ path: 'relative', content: '' }] }, 'files.0.path: must be an absolute path'],
    [{ name: 'x', files: [{ path: '/a/../../b', content: '' }] }, 'files.0.path: must not contain ..'],
    [{ name: 'x', env: { A: 'one\nUSER root' } }, 'env.A: must be one line'],
    [{ name: 'x', ready: 'nonsense:1' }, 'ready: must be a readiness probe'],
    [{ name: 'x', dockerfile: 'FROM remote/image\nRUN true' }, 'dockerfile: must not have a FROM line'],
    [{ name: 'x', extra: 1 }, 'Unrecognized key'],
    [{ name: 'x', packages: Array.from({ length: 201 }, (_, i) => `p${i}`) }, 'packages:'],
  ])('refuses %j naming the field', (json, message) => {
    expect(() => resolveTemplate(file(json))).toThrow(message);
  });

  it('refuses a file that is too large, not JSON or missing, and an unknown built-in name', () => {
    expect(() => resolveTemplate(file(`{"name":"x","description":"${'a'.repeat(300_000)}"}`))).toThrow(
      'larger than',
    );
    expect(() => resolveTemplate(file('{'))).toThrow('is not valid JSON');
    expect(() => resolveTemplate('/nonexistent/t.json')).toThrow('does not exist');
    expect(() => resolveTemplate('ruby')).toThrow('is not built in (base, node, python)');
  });

  it('names the build command of a built-in and of a file', () => {
    expect(buildCommandFor('node')).toBe('sbx template build node');
    expect(buildCommandFor('mine')).toBe('sbx template build mine.json');
  });
});
