// A second process for concurrent-writers.int.test.ts: opens the database file given as argv[2], says "ready",
// waits for "go" on stdin, writes argv[4] provisioning results and perf records tagged with worker number
// argv[3], and prints one JSON line with when its writes started and ended. Run with `node --import tsx`.
import { createInterface } from 'node:readline';
import { openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from './index.js';

const [filename, workerArg, countArg] = process.argv.slice(2);
const worker = Number(workerArg);
const count = Number(countArg);

const db = await openDatabase(filename);
const kpis = new SandboxProvisioningKPI(db);
const perf = new SandboxPerfRecordRepository(db);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line === 'go') break;

const firstWriteAt = Date.now();
for (let i = 0; i < count; i++) {
  // Durations encode (worker, i), so the parent can tell exactly which writes arrived.
  const durationMs = worker * 1_000_000 + i;
  await kpis.record({
    sandboxType: i % 2 === 0 ? 'docker' : 'webcontainer',
    durationMs,
    status: 'ok',
    timestamp: new Date(),
    // Every other result has phases, so its write is a multi-statement transaction.
    phases: i % 2 === 0 ? [{ name: `w${worker}`, startMs: 0, durationMs: 1 }] : undefined,
  });
  await perf.insert('sandbox_perf_records', {
    sandboxId: `w${worker}-${i}`,
    startTime: Date.now(),
    durationMs,
    outcome: 'success',
    alertFired: false,
  });
}
const lastWriteAt = Date.now();
await db.destroy();
process.stdout.write(`${JSON.stringify({ worker, firstWriteAt, lastWriteAt })}\n`);
lines.close();
