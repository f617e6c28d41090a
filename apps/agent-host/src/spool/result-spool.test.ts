import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultSpool } from './result-spool.js';
import { parseSpool } from './spool-file.js';

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'sbx-spool-')), 'state', 'spool.jsonl');
}

describe('ResultSpool', () => {
  it('keeps appended entries on disk until acknowledged, in order, across a reopen', async () => {
    const path = tempPath();
    const spool = await ResultSpool.open(path);
    await spool.append('provision', 'a', { n: 1 }, 1_000);
    await spool.append('perf', 'b', { n: 2 }, 2_000);
    await spool.append('alert', 'c', { n: 3 }, 3_000);
    await spool.ack(1);
    // Nothing closed: as after a SIGKILL, the next process reads the file as it is.
    const again = await ResultSpool.open(path);
    expect(again.depth).toBe(2);
    expect(again.oldest).toMatchObject({ kind: 'perf', id: 'b', at: 2_000, data: { n: 2 } });
    await again.append('provision', 'd', {});
    expect([again.oldest?.id]).toEqual(['b']);
    for (let left = again.depth; left > 0; left--) await again.ack(again.oldest?.n ?? 0);
    expect(again.depth).toBe(0);
    expect(readFileSync(again.path, 'utf8')).toBe('');
    await spool.close();
    await again.close();
  });

  it('drops a torn last line (never acknowledged to anyone) and keeps appending on a clean line', async () => {
    const path = tempPath();
    const spool = await ResultSpool.open(path);
    await spool.append('provision', 'a', {});
    await spool.close();
    appendFileSync(spool.path, '{"n":2,"kind":"provision","id":"b","at":1,"da');
    const again = await ResultSpool.open(path);
    expect(again.depth).toBe(1);
    await again.append('provision', 'c', {});
    await again.close();
    expect(parseSpool(readFileSync(again.path, 'utf8')).map((e) => e.id)).toEqual(['a', 'c']);
  });

  it('refuses an entry past its bound with STORE_UNAVAILABLE saying the spool is full, until room is freed', async () => {
    const spool = await ResultSpool.open(tempPath(), { maxBytes: 400 });
    const big = { pad: 'x'.repeat(120) };
    await spool.append('provision', 'a', big);
    await spool.append('provision', 'b', big);
    await expect(spool.append('provision', 'c', big)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/the host's spool is full \(400 bytes\)$/),
    });
    expect(spool.refusal).toMatch(/is full/);
    expect(spool.depth).toBe(2);
    await spool.ack(1);
    await spool.ack(2);
    expect(spool.refusal).toBeUndefined();
    await spool.append('provision', 'c', big);
    await spool.close();
  });

  it('ignores lines that are not entries (garbage, wrong kinds, unknown acks)', () => {
    const text = [
      'not json',
      '{"n":"1","kind":"provision","id":"a","at":1}',
      '{"n":1,"kind":"x","id":"a","at":1}',
      '{"ack":9}',
      '{"n":3,"kind":"alert","id":"z","at":5,"data":null}',
    ].join('\n');
    expect(parseSpool(text)).toEqual([{ n: 3, kind: 'alert', id: 'z', at: 5, data: null }]);
  });

  it('says it is unwritable when its file cannot be written', async () => {
    const path = tempPath();
    const spool = await ResultSpool.open(path);
    await spool.close();
    // A closed handle fails every write the way a vanished disk does.
    await expect(spool.append('provision', 'a', {})).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(spool.refusal).toMatch(/unwritable/);
    writeFileSync(spool.path, '');
  });

  it('writes its own file per process; adopts, in order, what dead processes left, never a live one’s', async () => {
    const path = tempPath();
    const alive = new Set([100, 101, 102]);
    const isAlive = (pid: number) => alive.has(pid);
    const dead = await ResultSpool.open(path, { pid: 100, isAlive });
    await dead.append('provision', 'from-100', {}, 1);
    const live = await ResultSpool.open(path, { pid: 101, isAlive });
    await live.append('provision', 'from-101', {}, 2);
    // 102 starts once 100 is gone (SIGKILLed) while 101 still serves: it takes 100's entries, not 101's.
    alive.delete(100);
    const next = await ResultSpool.open(path, { pid: 102, isAlive });
    expect(next.path).toMatch(/spool\.102\.jsonl$/);
    expect(next.oldest?.id).toBe('from-100');
    expect(next.depth).toBe(1);
    expect(existsSync(dead.path)).toBe(false);
    expect(parseSpool(readFileSync(live.path, 'utf8')).map((e) => e.id)).toEqual(['from-101']);
    for (const s of [dead, live, next]) await s.close().catch(() => {});
  });
});
