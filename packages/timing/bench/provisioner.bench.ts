// What timing costs on the provision path: provision() around a bootstrap vs calling the bootstrap directly,
// both measured here in the same run. Prints the per-call overhead and the ratio.
import { SandboxPerfMonitor, SandboxProvisioner } from '@sbx/timing';

const N = 100_000;
const ROUNDS = 5;
const silent = { warn: () => {}, error: () => {} };

async function time(label: string, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await run();
    samples.push(((performance.now() - t0) / N) * 1000);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(ROUNDS / 2)] as number;
  console.log(`${label.padEnd(44)} ${median.toFixed(3)} µs/call (median of ${ROUNDS} rounds of ${N})`);
  return median;
}

const recorder = { record: () => {} };
const provisioner = new SandboxProvisioner({ recorder, logger: silent });
const bootstrap = async () => 'handle';
const phased = async (phase: <R>(name: string, fn: () => Promise<R>) => Promise<R>) => {
  await phase('create', bootstrap);
  await phase('start', bootstrap);
  return phase('ready', bootstrap);
};

// Warm-up so the JIT has seen every path.
for (let i = 0; i < 20_000; i++) {
  await provisioner.provision({ type: 'docker', bootstrapFn: bootstrap });
  await bootstrap();
}

const raw = await time('baseline: await bootstrap()', bootstrap);
const plain = await time('provision() (recorded, no phases)', () =>
  provisioner.provision({ type: 'docker', bootstrapFn: bootstrap }),
);
const rawPhased = await time('baseline: 3 phases awaited directly', () => phased((_n, fn) => fn()));
const withPhases = await time('provision() with 3 timed phases + deadline', () =>
  provisioner.provision({ type: 'docker', deadlineMs: 30_000, bootstrapFn: (ctx) => phased(ctx.phase) }),
);

const monitor = new SandboxPerfMonitor({ logger: silent, sink: { insert: () => {} } });
let id = 0;
const perf = await time('perf monitor start()+stop()', async () => {
  const sandboxId = `s${id++}`;
  monitor.start(sandboxId);
  monitor.stop(sandboxId, { outcome: 'success' });
});

console.log('');
console.log(
  `provision() overhead: ${(plain - raw).toFixed(3)} µs/call (ratio ${(plain / raw).toFixed(2)}x the bare await)`,
);
console.log(
  `with phases+deadline: ${(withPhases - rawPhased).toFixed(3)} µs/call (ratio ${(withPhases / rawPhased).toFixed(2)}x)`,
);
console.log(`perf monitor:         ${perf.toFixed(3)} µs per run`);
console.log(
  `against a 100 ms docker provision the timing overhead is ${(((withPhases - rawPhased) / 100_000) * 100).toFixed(4)} %`,
);
