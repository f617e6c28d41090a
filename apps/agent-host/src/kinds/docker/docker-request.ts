import type { DockerSandboxSpec } from '@sbx/bootstrap';
import type { SandboxRequest } from '../sandbox-type-module.js';
import { admitDockerIsolation } from './docker-isolation.js';
import { applyDockerPolicy } from './docker-policy.js';
import { type DockerRequest, dockerRequestSchema } from './docker-request-schema.js';
import { toDockerSpec } from './docker-spec.js';
import { applyTemplate, withTemplateImage } from './docker-template.js';

export { type DockerRequest, dockerRequestSchema, MAX_TTL_MS } from './docker-request-schema.js';

/** How the HTTP API provisions docker sandboxes. */
export const dockerRequest: SandboxRequest<DockerRequest> = {
  schema: dockerRequestSchema,
  toSpec: (body, policy) => applyDockerPolicy(toDockerSpec(withTemplateImage(body)), policy),
  template: (body) => (body as DockerRequest).template,
  applyTemplate: (spec, found) => applyTemplate(spec as DockerSandboxSpec, found),
  admit: (spec, policy, runtimes, name) =>
    admitDockerIsolation(spec as DockerSandboxSpec, policy, runtimes, name),
};
