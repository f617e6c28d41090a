import { describe, expect, it } from 'vitest';
import {
  KEPT_ENDED,
  KEPT_OUTPUT_BYTES,
  MAX_READER_LAG_BYTES,
  ProcessTable,
  TableProcess,
} from './process-table.js';

const sandbox = { id: 'sbx-1', type: 'docker' } as never;
const config = { cmd: '/bin/bash', args: [], envs: {} };

async function drain(events: AsyncIterable<unknown>) {
  const seen = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('the door process table', () => {
  it('replays only the newest kept output, then the end', async () => {
    const proc = new TableProcess(1000, config);
    const chunk = new Uint8Array(256 * 1024);
    for (let i = 0; i < 8; i += 1) proc.output('stdout', chunk);
    proc.finish({ type: 'end', exitCode: 0, exited: true, status: 'exit status 0' });
    const events = await drain(proc.events(new AbortController().signal, true));
    const kept = events.filter((e) => (e as { type: string }).type === 'data').length * chunk.length;
    expect(kept).toBeLessThanOrEqual(KEPT_OUTPUT_BYTES);
    expect(events.at(-1)).toMatchObject({ type: 'end', exitCode: 0 });
  });

  it('ends a reader that falls more than the lag bound behind, holding no more than the bound', async () => {
    const proc = new TableProcess(1000, config);
    const events = proc.events(new AbortController().signal, false);
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < (MAX_READER_LAG_BYTES / chunk.length) * 4; i += 1) proc.output('stdout', chunk);
    const seen = await drain(events);
    expect(seen.at(-1)).toMatchObject({ type: 'end', status: 'reader too slow' });
    expect(seen.length).toBeLessThanOrEqual(1 + MAX_READER_LAG_BYTES / chunk.length);
  });

  it('keeps at most KEPT_ENDED ended processes per sandbox and finds by pid or running tag', () => {
    const table = new ProcessTable();
    for (let i = 0; i < KEPT_ENDED + 10; i += 1) {
      table.add(sandbox, config).finish({ type: 'end', exitCode: 0, exited: true, status: '' });
    }
    const tagged = table.add(sandbox, config, 'web');
    expect(table.find('sbx-1', { tag: 'web' })).toBe(tagged);
    expect(table.find('sbx-1', { pid: 1000 })).toBeUndefined();
    expect(table.running('sbx-1')).toEqual([tagged]);
    table.drop('sbx-1');
    expect(tagged.abort.signal.aborted).toBe(true);
    expect(table.find('sbx-1', { pid: tagged.pid })).toBeUndefined();
  });
});
