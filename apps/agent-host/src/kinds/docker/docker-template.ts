import { type DockerSandboxSpec, parseReadinessProbe } from '@sbx/bootstrap';
import { AgentHostError } from '../../errors.js';
import { templateImage } from '../../templates/template-catalog.js';
import type { TemplateImage } from '../../templates/template-images.js';
import type { DockerRequest } from './docker-request-schema.js';

/**
 * A body with `template` gets its template's image (never pulled: templates are built on the host); exactly one
 * of `image` and `template` is required. Throws `INVALID_REQUEST` naming the fields.
 */
export function withTemplateImage(body: DockerRequest): DockerRequest & { image: string } {
  if (body.template !== undefined && body.image !== undefined) {
    throw new AgentHostError('INVALID_REQUEST', 'template: give image or template, not both');
  }
  if (body.template === undefined) {
    if (body.image === undefined) {
      throw new AgentHostError('INVALID_REQUEST', 'image: is required (or give template: NAME)', {
        issues: [{ path: 'image', message: 'is required (or give template: NAME)' }],
      });
    }
    return body as DockerRequest & { image: string };
  }
  if (body.pull !== undefined && body.pull !== 'never') {
    throw new AgentHostError('INVALID_REQUEST', 'pull: a template is built on the host, never pulled');
  }
  const { template: _template, ...rest } = body;
  return { ...rest, image: templateImage(body.template), pull: 'never' };
}

/**
 * Pins a template sandbox to the built image (`NAME:HASH`), takes the template's readiness probe by default, and
 * gives it a writable home (a tmpfs its user owns) when the rootfs is read-only.
 */
export function applyTemplate(spec: DockerSandboxSpec, found: TemplateImage): DockerSandboxSpec {
  const next: DockerSandboxSpec = {
    ...spec,
    image: found.hash ? templateImage(found.name, found.hash) : found.image,
  };
  if (spec.ready === undefined && found.ready) next.ready = parseReadinessProbe(found.ready);
  // A read-only rootfs (the default policy) would leave the user no writable home: it gets a tmpfs one.
  if (found.home) next.home = found.home;
  return next;
}
