import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAgentHostError } from '../errors.js';
import { loadPreviewSecret, PreviewSigner } from './preview-signer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('PreviewSigner', () => {
  const signer = (now = 1_000_000, secret = new Uint8Array(32).fill(1)) =>
    new PreviewSigner({ secret, nowSeconds: () => now });

  it('opens the port of the sandbox it was signed for, for its tenant, until it expires', () => {
    const { token, expiresAt } = signer().sign('sbx-1', 3000, 'a', 60);
    expect(expiresAt).toBe(1_000_060);
    expect(signer().verify(token, 'sbx-1', 3000)).toEqual({ tenant: 'a', expiresAt });
    expect(signer(1_000_059).verify(token, 'sbx-1', 3000)).toBeDefined();
    expect(signer(1_000_060).verify(token, 'sbx-1', 3000)).toBeUndefined();
  });

  it('refuses every changed field, another secret, and malformed tokens', () => {
    const { token } = signer().sign('sbx-1', 3000, 'a', 60);
    const [expiry, tenant, mac] = token.split('.') as [string, string, string];
    expect(signer().verify(token, 'sbx-2', 3000)).toBeUndefined();
    expect(signer().verify(token, 'sbx-1', 3001)).toBeUndefined();
    expect(signer().verify(`${Number(expiry) + 1000}.${tenant}.${mac}`, 'sbx-1', 3000)).toBeUndefined();
    expect(signer().verify(`${expiry}.b.${mac}`, 'sbx-1', 3000)).toBeUndefined();
    expect(signer(1_000_000, new Uint8Array(32).fill(2)).verify(token, 'sbx-1', 3000)).toBeUndefined();
    for (const bad of ['', '.', `${token}.x`, `${expiry}.${tenant}.${mac}=`, 'x'.repeat(10_000)]) {
      expect(signer().verify(bad, 'sbx-1', 3000)).toBeUndefined();
    }
  });

  it('refuses a ttl outside 1 s..24 h and a short secret', () => {
    for (const ttl of [0, -1, 1.5, 86_401, Number.NaN]) {
      expect(() => signer().sign('sbx-1', 3000, 'a', ttl)).toThrow(/ttlSeconds/);
    }
    expect(() => new PreviewSigner({ secret: new Uint8Array(16) })).toThrow(/32 bytes/);
  });
});

describe('loadPreviewSecret', () => {
  it('creates a 0600 secret once and reads the same one back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-preview-'));
    dirs.push(dir);
    const path = join(dir, 'state', 'preview-secret');
    const first = loadPreviewSecret(path);
    expect(first.length).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(loadPreviewSecret(path)).equals(Buffer.from(first))).toBe(true);
    expect(readFileSync(path, 'utf8').trim().length).toBe(43);
  });

  it('refuses a file that holds too little to be a secret, saying what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-preview-'));
    dirs.push(dir);
    const path = join(dir, 'preview-secret');
    writeFileSync(path, 'short\n');
    try {
      loadPreviewSecret(path);
      expect.unreachable();
    } catch (error) {
      expect(isAgentHostError(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as Error).message).toContain('delete it');
    }
  });
});
