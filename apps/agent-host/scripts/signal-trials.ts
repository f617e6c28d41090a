// Interrupts `sbx provision docker` at random points, with the engine's attach/logs/exec-start replies held
// back 300 ms (the window of the CI hang), and reports each trial's exit time and the containers left.
// Run: `pnpm build && npx tsx apps/agent-host/scripts/signal-trials.ts [trials]` (needs the Docker engine).
import { DelayingEngineProxy } from '../test/engine-proxy.js';
import { containersOwnedBy, READY_CMD, startCli, TEST_IMAGE, tempDb } from '../test/harness.js';

const trials = Number(process.argv[2] ?? 15);
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const proxy = new DelayingEngineProxy(300);
const dockerHost = await proxy.listen();
const rows: string[] = [];
let worst = 0;
let leftTotal = 0;
for (let i = 0; i < trials; i++) {
  const signal = signals[i % signals.length] as NodeJS.Signals;
  const withJob = i % 2 === 1;
  const waitMs = Math.round(Math.random() * 2_000);
  const args = ['provision', 'docker', '--db', tempDb(), '--image', TEST_IMAGE, '--cmd', READY_CMD];
  args.push('--ready', 'log:^ready$', '--count', '40', '--concurrency', '2');
  if (withJob) args.push('--exec', 'sleep 20');
  // The random point is counted from the first held engine reply: the CLI is up and provisioning.
  const firstCall = new Promise((r) => proxy.once('delaying', r));
  const cli = startCli(args, { DOCKER_HOST: dockerHost });
  await firstCall;
  await new Promise((r) => setTimeout(r, waitMs));
  const t0 = performance.now();
  cli.child.kill(signal);
  const timeout = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000));
  const code = await Promise.race([cli.exited, timeout]);
  const exitMs = performance.now() - t0;
  if (code === 'hung') cli.child.kill('SIGKILL');
  const left = containersOwnedBy(cli.child.pid).length;
  worst = Math.max(worst, exitMs);
  leftTotal += left;
  rows.push(
    `#${String(i + 1).padStart(2)} ${signal.padEnd(7)} ${String(waitMs).padStart(4)} ms into provisioning${withJob ? ' (job running)' : '              '}  exit ${String(code).padEnd(4)} in ${exitMs.toFixed(0).padStart(4)} ms  containers left ${left}`,
  );
  console.log(rows.at(-1));
}
await proxy.close();
console.log(
  `${trials} trials: slowest exit ${worst.toFixed(0)} ms after the signal, ${leftTotal} containers left`,
);
process.exit(worst < 2_000 && leftTotal === 0 ? 0 : 1);
