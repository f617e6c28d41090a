// One agent host of fleet.bench.ts: records argv[4] provisionings one by one as host argv[3] into argv[2].
import { openDatabase, SandboxProvisioningKPI } from '../src/index.js';

const [url, hostId, countArg] = process.argv.slice(2);
const db = await openDatabase(url, { poolSize: 2 });
const kpis = new SandboxProvisioningKPI(db);
const started = performance.now();
for (let i = 0; i < Number(countArg); i++) {
  await kpis.record({
    sandboxType: i % 2 === 0 ? 'docker' : 'webcontainer',
    durationMs: 100 + (i % 977),
    status: 'ok',
    timestamp: new Date(),
    attributes: { hostId, tenant: 't' },
    phases: [{ name: 'create', startMs: 0, durationMs: 10 }],
  });
}
await db.destroy();
process.stdout.write(`${JSON.stringify({ hostId, ms: performance.now() - started })}\n`);
