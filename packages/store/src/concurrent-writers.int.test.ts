import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import { afterAll, expect, it } from 'vitest';

const PER_WORKER = 5_000;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const workerScript = fileURLToPath(new URL('./concurrent-writer.worker.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sbx-store-concurrent-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ worker: number; firstWriteAt: number; lastWriteAt: number }>;
}

function startWorker(filename: string, worker: number): Worker {
  // cwd is the repo root, where `tsx` (a root devDependency) resolves.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', workerScript, filename, String(worker), String(PER_WORKER)],
    {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`worker ${worker} exited ${code}: ${stderr}`)),
    );
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await Promise.race([lines.next(), exited.then(() => ({ done: true, value: undefined }))]);
    if (line.done) throw new Error(`worker ${worker} ended early: ${stderr}`);
    return line.value as string;
  };
  const ready = next().then((line) => expect(line).toBe('ready'));
  const done = ready.then(async () => {
    const result = JSON.parse(await next());
    await exited;
    return result;
  });
  return { child, ready, done };
}

it('two processes writing 5,000 records each into one new file at once lose nothing', async () => {
  const filename = join(dir, 'nested', 'sbx.db');
  // Both open (and migrate) the same, not yet existing file at the same moment.
  const workers = [startWorker(filename, 1), startWorker(filename, 2)];
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin?.write('go\n');
  const [a, b] = await Promise.all(workers.map((w) => w.done));

  // The writes really overlapped in time.
  expect(a && b && a.firstWriteAt < b.lastWriteAt && b.firstWriteAt < a.lastWriteAt).toBe(true);

  const db = await openDatabase(filename);
  try {
    const kpis = new SandboxProvisioningKPI(db);
    expect(await kpis.count()).toBe(2 * PER_WORKER);
    const durations = await db.selectFrom('sandbox_provisioning_kpis').select('duration_ms').execute();
    const expected = [1, 2].flatMap((w) => Array.from({ length: PER_WORKER }, (_, i) => w * 1_000_000 + i));
    expect(durations.map((r) => r.duration_ms).sort((x, y) => x - y)).toEqual(expected);
    const phases = await db.selectFrom('sandbox_provisioning_phases').select('name').execute();
    expect(phases).toHaveLength(PER_WORKER);
    expect(await new SandboxPerfRecordRepository(db).count()).toBe(2 * PER_WORKER);
  } finally {
    await db.destroy();
  }
});
