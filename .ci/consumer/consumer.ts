// What a user of the published packages writes after reading their READMEs, with strict settings and no
// non-null assertions: provision a Docker sandbox through the provisioner, run a command in it, dispose of
// it, record the measurement in a SQLite file and read the P95 back. .ci/consumer.sh type-checks it against
// the installed tarballs and runs it against the real engine.
import { DOCKER_TEST_IMAGE, DockerAdapter } from '@sbx/bootstrap';
import { openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import { SandboxProvisioner } from '@sbx/timing';
import Dockerode from 'dockerode';

const dbPath = process.argv[2] ?? './consumer.db';
const db = await openDatabase(dbPath);
const kpis = new SandboxProvisioningKPI(db);
const adapter = new DockerAdapter({ docker: new Dockerode() });
const provisioner = new SandboxProvisioner({ recorder: kpis });

try {
  const {
    value: sandbox,
    phases,
    durationMs,
    status,
  } = await provisioner.provision({
    type: 'docker',
    deadlineMs: 30_000,
    bootstrapFn: (ctx) =>
      adapter.provision({ image: DOCKER_TEST_IMAGE, cmd: ['sleep', '3600'], pull: 'never' }, ctx),
  });
  console.log(`provisioned ${sandbox.id} in ${Math.round(durationMs)} ms (${status}):`);
  for (const phase of phases) console.log(`  ${phase.name} ${Math.round(phase.durationMs)} ms`);

  const { exitCode, stdout } = await sandbox.exec(['echo', 'hi'], { timeoutMs: 5_000 });
  console.log(`exec echo hi: exit ${exitCode}, stdout ${JSON.stringify(stdout)}`);
  await sandbox.dispose();
  const leftover = (await adapter.listManaged()).filter((c) => c.sandboxId === sandbox.id);
  console.log(`disposed; containers left for ${sandbox.id}: ${leftover.length}`);

  const p95 = await kpis.getP95Latency('docker');
  const count = await kpis.count('docker');
  console.log(`recorded in ${dbPath}: ${count} docker provisioning(s), P95 ${p95} ms`);

  if (exitCode !== 0 || stdout !== 'hi\n') throw new Error('exec did not print hi');
  if (leftover.length > 0) throw new Error('the container outlived dispose()');
  if (typeof p95 !== 'number' || count < 1) throw new Error('no P95 was recorded');
} finally {
  await db.destroy();
}
