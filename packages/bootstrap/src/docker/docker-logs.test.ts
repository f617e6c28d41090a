import { describe, expect, it } from 'vitest';
import { deferred } from './fake/fake-docker.js';
import { sandboxOnFake } from './testing/sandbox-on-fake.js';

const KIB = 1024;

describe('DockerSandbox.logs', () => {
  it('reads what was printed so far as a stream and stops reading once both streams passed the cap (never the whole log at once)', async () => {
    const { docker, container, sandbox } = await sandboxOnFake();
    for (let i = 0; i < 1_000; i++) {
      container.print(`${String(i).padStart(4, '0')}${'x'.repeat(KIB - 5)}\n`, i % 2 ? 2 : 1);
    }
    let received = 0;
    const result = await sandbox.logs({
      maxOutputBytes: 10 * KIB,
      onOutput: (_stream, chunk) => {
        received += chunk.length;
      },
    });
    expect(result).toEqual({ truncated: true });
    expect(received).toBe(2 * 10 * KIB);
    // One stream, closed by the reader before its end: the rest of the log was never read.
    const [log, ...others] = docker.streams;
    expect(others).toEqual([]);
    expect(log?.destroyed).toBe(true);
    expect(log?.readableEnded).toBe(false);
    expect(docker.openStreams).toEqual([]);
  });

  it('a snapshot ends after what was printed so far, and keeps the last `tail` lines only', async () => {
    const { container, sandbox } = await sandboxOnFake();
    for (const line of ['one\n', 'two\n', 'three\n']) container.print(line);
    const lines: string[] = [];
    const result = await sandbox.logs({
      tail: 2,
      onOutput: (_s, chunk) => lines.push(Buffer.from(chunk).toString()),
    });
    expect(result).toEqual({ truncated: false });
    expect(lines.join('')).toBe('two\nthree\n');
  });

  it("pauses reading while the reader's promise is pending (a client that does not read holds the log, not memory)", async () => {
    const { docker, container, sandbox } = await sandboxOnFake();
    for (let i = 0; i < 200; i++) container.print('y'.repeat(16 * KIB), 1);
    const gate = deferred();
    let calls = 0;
    const reading = sandbox.logs({
      follow: true,
      onOutput: () => {
        calls += 1;
        return gate.promise;
      },
    });
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    // One chunk of the engine's stream was handed over; the rest waits in the engine (here, the fake's stream).
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(20);
    gate.resolve();
    container.exit(0);
    await expect(reading).resolves.toEqual({ truncated: false });
    expect(calls).toBe(200);
    expect(docker.openStreams).toEqual([]);
  });
});
