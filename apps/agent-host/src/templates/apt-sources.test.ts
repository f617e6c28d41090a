import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveFor, parseDeb822Sources, parseOneLineSources } from './apt-sources.js';

// Archive names are made up (example.invalid): the repository names no real archive.
describe('the host apt configuration', () => {
  it('reads one-line sources with options, skipping comments and deb-src', () => {
    const text =
      '# deb http://a.invalid/x sid main\ndeb-src http://b.invalid/d bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example.invalid/debian/ bookworm main contrib\n';
    expect(parseOneLineSources(text)).toEqual([
      { uri: 'http://m.example.invalid/debian', suites: ['bookworm'], components: ['main', 'contrib'] },
    ]);
  });

  it('reads deb822 stanzas, several suites and URIs, and skips Enabled: no and deb-src', () => {
    const text = [
      'Types: deb',
      'URIs: http://m.example.invalid/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb-src',
      'URIs: http://src.example.invalid/debian',
      'Suites: bookworm',
      '',
      'Types: deb',
      'Enabled: no',
      'URIs: http://off.example.invalid/debian',
      'Suites: bookworm',
    ].join('\n');
    expect(parseDeb822Sources(text)).toEqual([
      {
        uri: 'http://m.example.invalid/debian',
        suites: ['bookworm', 'bookworm-updates'],
        components: ['main'],
      },
    ]);
  });

  it('names the first archive with the suite, in apt order, or none (debootstrap chooses)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-apt-'));
    mkdirSync(join(dir, 'sources.list.d'));
    writeFileSync(
      join(dir, 'sources.list.d', 'b.sources'),
      'Types: deb\nURIs: http://b.example.invalid/debian\nSuites: bookworm\n',
    );
    writeFileSync(join(dir, 'sources.list.d', 'a.list'), 'deb http://a.example.invalid/debian trixie main\n');
    writeFileSync(
      join(dir, 'sources.list.d', 'c.list.disabled'),
      'deb http://c.example.invalid/debian bookworm main\n',
    );
    expect(archiveFor('bookworm', dir)).toBe('http://b.example.invalid/debian');
    expect(archiveFor('trixie', dir)).toBe('http://a.example.invalid/debian');
    expect(archiveFor('sid', dir)).toBeUndefined();
    expect(archiveFor('bookworm', join(dir, 'missing'))).toBeUndefined();
  });
});
