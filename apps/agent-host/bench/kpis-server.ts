// The host under test, in its own process: `node --import tsx bench/kpis-server.ts <db>` prints its URL, then
// serves until killed. /healthz's Docker ping is replaced by a no-op, so the figure is the host's own latency.
import { resolveConfig } from '../src/compose/config.js';
import { openAgentHost } from '../src/compose/open-agent-host.js';
import { SandboxHost } from '../src/core/sandbox-host.js';
import { createApp } from '../src/http/create-app.js';
import { startServer } from '../src/http/start-server.js';

const [db] = process.argv.slice(2);
if (!db) throw new Error('usage: kpis-server.ts <db>');
const agent = await openAgentHost(resolveConfig({ db }, {}), { warn() {}, error: console.error });
// A host with no adapters: its /healthz pings nothing, so the figure is the host's own latency.
const host = new SandboxHost({
  recorder: agent.kpis,
  sink: agent.perf,
  adapters: {},
  logger: { warn() {}, error: console.error },
});
const server = await startServer(createApp({ ...agent, host }), { host: '127.0.0.1', port: 0 });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => agent.close().then(() => process.exit(0)));
});
