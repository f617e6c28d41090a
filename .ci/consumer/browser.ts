// A page that measures a WebContainer, as @sbx/bootstrap's README shows it, type-checked as a browser project
// (the lib the README names: ES2022, DOM, ESNext.Disposable; bundler resolution; no Node.js types). Never run:
// .ci/consumer.sh only type-checks it.
import { WebContainerAdapter } from '@sbx/bootstrap/webcontainer';
import { createFakeWebContainerApi } from '@sbx/bootstrap/webcontainer/testing';
import { type ProvisionRecorder, SandboxProvisioner } from '@sbx/timing/browser';

const recorder: ProvisionRecorder = { record: (result) => console.log(result.durationMs) };
const adapter = new WebContainerAdapter({ module: createFakeWebContainerApi(), bootTimeoutMs: 8_000 });
const { value: sandbox, phases } = await new SandboxProvisioner({ recorder }).provision({
  type: 'webcontainer',
  deadlineMs: 10_000,
  bootstrapFn: (ctx) =>
    adapter.provision(
      {
        files: { 'package.json': { file: { contents: '{}' } } },
        install: ['npm', 'install'],
        start: ['npm', 'start'],
        ready: { port: 3000 },
      },
      ctx,
    ),
});
const { stdout } = await sandbox.exec('node -v');
document.body.textContent = `${stdout} (${phases.map((p) => p.name).join(', ')})`;
await sandbox.dispose();
