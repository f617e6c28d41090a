import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One `deb` source of the host's apt configuration. */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
}

/** Where apt reads its sources (the host's own configuration; sbx writes no archive name anywhere). */
export const APT_DIR = '/etc/apt';

/**
 * The archive the host's apt configuration names for `suite` (its first `deb` source listing that suite, from
 * `sources.list`, then `sources.list.d/*.list` and deb822 `*.sources` in name order), or undefined: then
 * debootstrap uses its own default. Unreadable files are skipped.
 */
export function archiveFor(suite: string, aptDir = APT_DIR): string | undefined {
  return readAptSources(aptDir).find((s) => s.suites.includes(suite) && s.uri.startsWith('http'))?.uri;
}

/** Every enabled `deb` source in `aptDir`, in the order apt reads them. */
export function readAptSources(aptDir = APT_DIR): AptSource[] {
  const sources = parseOneLineSources(readOrEmpty(join(aptDir, 'sources.list')));
  let names: string[] = [];
  try {
    names = readdirSync(join(aptDir, 'sources.list.d')).sort();
  } catch {
    // no directory: only sources.list
  }
  for (const name of names) {
    const text = readOrEmpty(join(aptDir, 'sources.list.d', name));
    if (name.endsWith('.list')) sources.push(...parseOneLineSources(text));
    else if (name.endsWith('.sources')) sources.push(...parseDeb822Sources(text));
  }
  return sources;
}

/** Parses one-line-style sources: `deb [options] URI SUITE COMPONENT...`; comments and `deb-src` skipped. */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ') && !line.startsWith('deb\t')) continue;
    const words = line
      .slice(3)
      .replace(/\[[^\]]*\]/, ' ')
      .trim()
      .split(/\s+/);
    const [uri, suite, ...components] = words;
    if (uri && suite) sources.push({ uri: trimSlash(uri), suites: [suite], components });
  }
  return sources;
}

/** Parses deb822 `.sources` stanzas (`Types`, `URIs`, `Suites`, `Components`, `Enabled`). */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (!match) continue;
      last = (match[1] as string).toLowerCase();
      fields.set(last, (match[2] as string).trim());
    }
    const list = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    if (!list('types').includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    for (const uri of list('uris')) {
      sources.push({ uri: trimSlash(uri), suites: list('suites'), components: list('components') });
    }
  }
  return sources;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function trimSlash(uri: string): string {
  return uri.replace(/\/+$/, '');
}
