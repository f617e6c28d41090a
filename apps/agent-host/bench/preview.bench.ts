// Preview ports and streamed files through the in-sandbox agent, via a real `sbx serve` on loopback and the
// offline test image: HTTP GET through the preview proxy to `busybox httpd` in the sandbox (p50/p95, target p50
// <= 5 ms), and 8 x 10 MiB written and read back at once (byte-exact; the server's RSS growth, target <= 16 MiB).
// BENCH_RUNTIME=runsc measures gVisor. Needs `pnpm build` and .ci/prereqs/docker.sh.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { quantile } from '@sbx/timing';
import { startServe, TEST_IMAGE, tempDb } from '../test/harness.js';

const MIB = 1024 * 1024;
const runtime = process.env.BENCH_RUNTIME ?? 'runc';
const requests = Number(process.env.BENCH_PREVIEW_REQUESTS ?? 300);
const server = await startServe(tempDb(), [
  '--allow-runtime',
  'runsc',
  '--max-transfers-per-tenant',
  '8',
  '--max-transfers-total',
  '8',
  '--tmpfs-bytes',
  String(256 * 1024 * 1024),
]);
let id: string | undefined;
try {
  const created = await server.api('POST', '/v1/sandboxes', {
    type: 'docker',
    image: TEST_IMAGE,
    cmd: "sh -c 'mkdir -p /tmp/www && echo hello > /tmp/www/index.html && busybox httpd -f -p 127.0.0.1:3000 -h /tmp/www & echo ready; exec sleep 3600'",
    ready: 'log:ready',
    runtime,
    resources: { memoryBytes: 1024 * MIB },
  });
  if (created.status !== 201) throw new Error(`create failed: ${await created.text()}`);
  id = ((await created.json()) as { id: string }).id;

  const times: number[] = [];
  for (let i = 0; i < requests + 20; i++) {
    const t0 = performance.now();
    const response = await server.api('GET', `/v1/sandboxes/${id}/ports/3000/index.html`);
    const text = await response.text();
    if (response.status !== 200 || text !== 'hello\n') throw new Error(`preview answered ${response.status}`);
    if (i >= 20) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p50 = quantile(times, 0.5) ?? Number.NaN;
  const p95 = quantile(times, 0.95) ?? Number.NaN;

  const pid = server.child.pid as number;
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
  const payloads = Array.from({ length: 8 }, () => randomBytes(10 * MIB));
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 5);
  const t0 = performance.now();
  await Promise.all(
    payloads.map(async (data, i) => {
      const path = `/v1/sandboxes/${id}/files?path=/tmp/big-${i}`;
      const put = await fetch(`${server.base}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
        body: data,
      });
      if (put.status !== 201) throw new Error(`write ${i}: ${put.status} ${await put.text()}`);
      const back = Buffer.from(await (await server.api('GET', path)).arrayBuffer());
      if (sha(back) !== sha(data)) throw new Error(`read ${i} is not what was written`);
    }),
  );
  const transferMs = performance.now() - t0;
  clearInterval(sampler);
  const growth = (peak - before) / MIB;

  console.log(`preview and files through the agent (${runtime}, ${requests} GETs, 8 x 10 MiB)`);
  console.log(`  GET through the preview proxy   p50 ${p50.toFixed(2)} ms   p95 ${p95.toFixed(2)} ms`);
  console.log(
    `  8 x 10 MiB write + read back    ${transferMs.toFixed(0)} ms, byte-exact, server RSS growth ${growth.toFixed(1)} MiB`,
  );
  console.log(`  target p50 <= 5 ms: ${p50 <= 5 ? 'met' : 'NOT met'}`);
  console.log(`  target RSS growth <= 16 MiB: ${growth <= 16 ? 'met' : 'NOT met'}`);
} finally {
  if (id) await server.api('DELETE', `/v1/sandboxes/${id}`).catch(() => {});
  server.child.kill('SIGTERM');
  await server.exited;
}

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
