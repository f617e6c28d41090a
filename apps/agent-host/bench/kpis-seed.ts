// Seeds a benchmark database in its own process (so its garbage never pauses a measuring process):
// `node --import tsx bench/kpis-seed.ts <db> <rows>` writes <rows> provisionings through the store's own
// `recordMany()` (validation and rollup triggers included): half each type, 3% failed, 1% cancelled, 4 phases
// each, 1 s apart, ending now. Prints the seconds it took.
import { openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';

const BATCH = 25_000;
const PHASES = {
  docker: ['image', 'create', 'start', 'ready'],
  webcontainer: ['boot', 'mount', 'install', 'ready'],
};

const [path, rowsText = '0'] = process.argv.slice(2);
if (!path) throw new Error('usage: kpis-seed.ts <db> <rows>');
const rows = Number(rowsText);
const db = await openDatabase(path);
const kpis = new SandboxProvisioningKPI(db);
const t = performance.now();
const start = Date.now() - rows * 1_000;
let seed = 1;
const random = () => {
  seed = (seed * 16_807) % 2_147_483_647;
  return seed / 2_147_483_647;
};
for (let from = 0; from < rows; from += BATCH) {
  const batch: ProvisionResult[] = [];
  for (let x = from; x < Math.min(rows, from + BATCH); x++) {
    const type = x % 2 === 0 ? 'docker' : 'webcontainer';
    const durationMs = (type === 'docker' ? 400 : 60) * Math.exp((random() - 0.5) * 2);
    const code = x % 100 === 0 ? 'CANCELLED' : x % 100 < 4 ? 'START_FAILED' : undefined;
    batch.push({
      sandboxType: type,
      durationMs,
      status: code ? 'sla_breach' : 'ok',
      timestamp: new Date(start + x * 1_000),
      phases: PHASES[type].map((name, i) => ({
        name,
        startMs: (i * durationMs) / 4,
        durationMs: durationMs / 4,
      })),
      ...(code ? { error: { name: 'BootstrapError', message: 'failed', code } } : {}),
    });
  }
  await kpis.recordMany(batch);
}
await db.destroy();
process.stdout.write(`${((performance.now() - t) / 1_000).toFixed(1)}\n`);
