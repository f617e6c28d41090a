// A prober in its own process: `node --import tsx bench/kpis-probe.ts <url> <path> <ms> <pauseMs>` GETs <url><path>
// one request at a time, pausing <pauseMs> between two, for <ms> milliseconds, then prints every latency (ms) as JSON.
import { Agent, request } from 'node:http';

const [url = '', path = '/healthz', msText = '1000', pauseText = '20'] = process.argv.slice(2);
const target = new URL(path, url);
if (target.hostname !== '127.0.0.1') throw new Error('the benchmark only talks to 127.0.0.1');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const until = performance.now() + Number(msText);
const latencies: number[] = [];

function get(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(target, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - t)
          : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

while (performance.now() < until) {
  latencies.push(await get());
  await new Promise((r) => setTimeout(r, Number(pauseText)));
}
agent.destroy();
process.stdout.write(`${JSON.stringify({ latencies })}\n`);
