import type { FakeWebContainerOptions } from './fake-webcontainer.js';

/** The `fake=` scenarios a page URL can ask for (`?fake=hang`), on top of the numeric options. */
export const FAKE_SCENARIOS: Readonly<Record<string, FakeWebContainerOptions>> = Object.freeze({
  ok: {},
  hang: { boot: 'hang' },
  'boot-rejects': { boot: 'reject' },
  'mount-fails': { mountError: 'ENOSPC: no space left on device' },
  'install-fails': { installExitCode: 1 },
  'port-only': { serverEvent: 'port' },
  'no-server': { serverEvent: 'none' },
});

const NUMERIC = [
  'bootDelayMs',
  'mountDelayMs',
  'installExitCode',
  'installDelayMs',
  'serverPort',
  'serverReadyDelayMs',
  'execExitCode',
  'execDelayMs',
] as const;

/** Reads fake options from a page's query string: `?fake=hang`, `?fake=ok&bootDelayMs=200`; unknown values are ignored. */
export function fakeOptionsFromQuery(search: string): FakeWebContainerOptions {
  const params = new URLSearchParams(search);
  const options: FakeWebContainerOptions = { ...FAKE_SCENARIOS[params.get('fake') ?? 'ok'] };
  for (const name of NUMERIC) {
    const raw = params.get(name);
    const value = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
    if (Number.isFinite(value) && value >= 0) options[name] = value;
  }
  return options;
}
