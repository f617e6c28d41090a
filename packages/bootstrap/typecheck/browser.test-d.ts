// A page that measures a WebContainer as the README shows it, compiled with `"lib": ["ES2022", "DOM",
// "ESNext.Disposable"]` and no Node.js types: the browser entries must not need more. Never run.
import {
  type ProvisionIngestPayload,
  toIngestPayload,
  WebContainerAdapter,
} from '@sbx/bootstrap/webcontainer';
import { createFakeWebContainerApi } from '@sbx/bootstrap/webcontainer/testing';
import { type ProvisionRecorder, SandboxProvisioner } from '@sbx/timing/browser';

const sent: ProvisionIngestPayload[] = [];
const recorder: ProvisionRecorder = { record: (result) => void sent.push(toIngestPayload(result)) };
const adapter = new WebContainerAdapter({ module: createFakeWebContainerApi(), bootTimeoutMs: 8_000 });
const { value: sandbox, phases } = await new SandboxProvisioner({ recorder }).provision({
  type: 'webcontainer',
  deadlineMs: 10_000,
  bootstrapFn: (ctx) => adapter.provision({ start: ['npm', 'start'], ready: { port: 3000 } }, ctx),
});
await using disposable = sandbox;
const { stdout } = await disposable.exec('node -v');
document.body.textContent = `${stdout} after ${phases.map((p) => p.name).join(', ')}`;
