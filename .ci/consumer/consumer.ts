// What a user of the published packages writes after reading their READMEs, with strict settings and no
// non-null assertions: provision a Docker sandbox through the provisioner, run a command in it, dispose of
// it, record the measurement in a SQLite file and read the P95 back; then the same through @sbx/agent-host's
// createSandboxHost(). .ci/consumer.sh type-checks it against the installed tarballs and runs it against the
// real engine.
import { createSandboxHost } from '@sbx/agent-host';
import { DockerAdapter } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
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

// The measured host in one call, into the same file.
const sbx = await createSandboxHost({ dbPath });
try {
  const { sandbox, result } = await sbx.provision('docker', {
    image: DOCKER_TEST_IMAGE,
    cmd: ['sleep', '3600'],
    pull: 'never',
  });
  const phaseNames = result.phases.map((p) => p.name).join(', ');
  console.log(`createSandboxHost: ${sandbox.id} in ${Math.round(result.durationMs)} ms (${phaseNames})`);
  const { exec, record } = await sbx.runJob(sandbox, ['echo', 'hi']);
  console.log(`runJob echo hi: exit ${exec.exitCode}, ${record.outcome} in ${record.durationMs} ms`);
  const [count, runs] = [await sbx.kpis.count('docker'), await sbx.perf.count()];
  console.log(`recorded: ${count} docker provisioning(s), ${runs} job run(s); live ${sbx.liveCount}`);
  if (exec.stdout !== 'hi\n' || record.outcome !== 'success') throw new Error('runJob did not print hi');
  if (count < 2 || runs < 1) throw new Error('the host did not record the provisioning and the job');
} finally {
  const closed = await sbx.close();
  console.log(`closed: removed ${closed.removed} live sandbox(es), complete ${closed.complete}`);
}
