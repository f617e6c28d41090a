// A process for postgres-migrations.int.test.ts: waits for "go" on stdin, opens (and so migrates) the database
// at the URL in argv[2], records one provisioning as host argv[3], and prints the migrations it applied.
import { createInterface } from 'node:readline';
import { migrateToLatest, openDatabase, SandboxProvisioningKPI } from './index.js';

const [url, hostId] = process.argv.slice(2);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break;
const db = await openDatabase(url, { migrate: false });
const applied = await migrateToLatest(db);
await new SandboxProvisioningKPI(db).record({
  sandboxType: 'docker',
  durationMs: 1,
  status: 'ok',
  timestamp: new Date(),
  attributes: { hostId },
});
await db.destroy();
process.stdout.write(`${JSON.stringify({ hostId, applied })}\n`);
process.exit(0);
