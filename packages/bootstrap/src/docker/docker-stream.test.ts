import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectDemuxed, DockerStreamDemuxer, LineSplitter, type OutputStream } from './docker-stream.js';
import { frame } from './fake/fake-docker.js';

describe('DockerStreamDemuxer', () => {
  const bytes = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n'), frame(1, '')]);

  it('splits stdout and stderr frames however the chunks are cut', () => {
    for (const size of [1, 3, 7, 8, 9, bytes.length]) {
      const seen: Array<[OutputStream, string]> = [];
      const demuxer = new DockerStreamDemuxer((stream, payload) => seen.push([stream, payload.toString()]));
      for (let i = 0; i < bytes.length; i += size) demuxer.push(bytes.subarray(i, i + size));
      expect(seen.map(([s, t]) => `${s}:${t}`).join('|'), `chunks of ${size}`).toBe(
        'stdout:hello |stderr:oops\n|stdout:world\n',
      );
    }
  });

  it('collects a stream that ends into its stdout and stderr text', async () => {
    const stream = new PassThrough();
    const collected = collectDemuxed(stream);
    stream.write(bytes.subarray(0, 5));
    stream.end(bytes.subarray(5));
    await expect(collected).resolves.toMatchObject({
      stdout: 'hello world\n',
      stderr: 'oops\n',
      stdoutTruncated: false,
    });
  });

  it('rejects when the stream fails', async () => {
    const stream = new PassThrough();
    const collected = collectDemuxed(stream);
    stream.destroy(new Error('socket hang up'));
    await expect(collected).rejects.toThrow('socket hang up');
  });
});

describe('LineSplitter', () => {
  it('emits whole lines per stream, drops \\r, keeps multi-byte characters cut between chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line, stream) => lines.push(`${stream}:${line}`));
    const euro = Buffer.from('€');
    splitter.push('stdout', Buffer.from('rea'));
    splitter.push('stderr', Buffer.from('warn\r\n'));
    splitter.push('stdout', Buffer.concat([Buffer.from('dy '), euro.subarray(0, 1)]));
    splitter.push('stdout', Buffer.concat([euro.subarray(1), Buffer.from('\nlast')]));
    expect(lines).toEqual(['stderr:warn', 'stdout:ready €']);
    splitter.flush();
    expect(lines).toEqual(['stderr:warn', 'stdout:ready €', 'stdout:last']);
  });
});

describe('collectDemuxed with a cap', () => {
  it('keeps at most maxBytes per stream, reads the rest to the end, and says which stream was cut', async () => {
    const stream = new PassThrough();
    const collected = collectDemuxed(stream, 5);
    stream.write(frame(1, 'hello world'));
    stream.write(frame(2, 'err'));
    stream.write(frame(1, 'more'));
    stream.end();
    expect(await collected).toEqual({
      stdout: 'hello',
      stderr: 'err',
      stdoutTruncated: true,
      stderrTruncated: false,
    });
  });
});
