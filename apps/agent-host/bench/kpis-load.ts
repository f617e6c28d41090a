// The pollers, in their own process: `node --import tsx bench/kpis-load.ts <url> <clients> <ms> <max>` runs
// <clients> loops that GET <url>/v1/kpis back to back for <ms> milliseconds or <max> requests in all, then prints
// every latency (ms) as JSON. Loopback only.
import { Agent, request } from 'node:http';

const [url = '', clientsText = '20', msText = '8000', maxText = '40000'] = process.argv.slice(2);
const target = new URL('/v1/kpis', url);
if (target.hostname !== '127.0.0.1') throw new Error('the benchmark only talks to 127.0.0.1');
const agent = new Agent({ keepAlive: true, maxSockets: Number(clientsText) });
const started = performance.now();
const until = started + Number(msText);
const max = Number(maxText);
const latencies: number[] = [];
let errors = 0;

function get(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(target, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function client(): Promise<void> {
  while (performance.now() < until && latencies.length + errors < max) {
    const t = performance.now();
    try {
      await get();
      latencies.push(performance.now() - t);
    } catch {
      errors++;
    }
  }
}

await Promise.all(Array.from({ length: Number(clientsText) }, client));
agent.destroy();
process.stdout.write(`${JSON.stringify({ latencies, errors, ms: performance.now() - started })}\n`);
