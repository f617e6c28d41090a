// `new Dockerode()` is a `DockerApi` for a consumer compiling with exactOptionalPropertyTypes: dockerode's
// types declare optional fields as `?: T | undefined`, so every optional field the adapter reads back from the
// engine must accept `undefined` too. A mismatch fails `pnpm typecheck`.
import { DockerAdapter, type DockerApi } from '@sbx/bootstrap';
import Dockerode from 'dockerode';

const docker: DockerApi = new Dockerode();
new DockerAdapter({ docker });
new DockerAdapter({ docker: new Dockerode({ socketPath: '/var/run/docker.sock' }) });
