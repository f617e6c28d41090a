// `template: NAME` over HTTP, on a real DockerAdapter over the fake engine: a built template is pinned to its
// hash with a writable home; an unknown or unbuilt one is a 400 naming the build command that records nothing.
import { DockerAdapter } from '@sbx/bootstrap';
import { FakeDocker } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import type { TemplateImage } from '../templates/template-images.js';
import { createApp } from './create-app.js';
import { jsonRequest } from './testing/test-app.js';

const silent = { warn: vi.fn(), error: vi.fn() };
const HASH = '0123456789abcdef';
const NODE: TemplateImage = {
  name: 'node',
  hash: HASH,
  image: 'sbx-template/node:latest',
  sizeBytes: 300_000_000,
  createdAt: '2026-12-07T00:00:00.000Z',
  ready: 'running',
  home: { path: '/home/user', uid: 1000 },
};

async function setup(templates: TemplateImage[]) {
  const docker = new FakeDocker([`sbx-template/node:${HASH}`, 'sbx-template/node:latest']);
  const adapter = Object.assign(new DockerAdapter({ docker, owner: 'test:1', logger: silent }), {
    listTemplates: async () => templates,
  });
  const { kpis, perf, host, config, results, close } = await createTestHost({
    docker,
    adapters: { docker: adapter },
    logger: silent,
  });
  const app = createApp({ kpis, perf, host, config });
  const request = jsonRequest(app);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await request(method, path, body);
    return {
      status: response.status,
      body: (await response.json()) as { error: { code: string; message: string } } & Record<string, unknown>,
    };
  };
  return { call, docker, results, close };
}

describe('templates over HTTP', () => {
  let ctx: Awaited<ReturnType<typeof setup>> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('provisions a built template pinned to its hash, as its image says, with a tmpfs home its user owns', async () => {
    ctx = await setup([NODE]);
    const created = await ctx.call('POST', '/v1/sandboxes', { type: 'docker', template: 'node' });
    expect(created.status).toBe(201);
    const [container] = ctx.docker.containers;
    expect(container?.config.Image).toBe(`sbx-template/node:${HASH}`);
    // The image's USER and WORKDIR apply: the request sets neither.
    expect(container?.config.User).toBeUndefined();
    expect(container?.config.HostConfig?.ReadonlyRootfs).toBe(true);
    expect(container?.config.HostConfig?.Mounts?.map((m) => m.Target)).toEqual(['/tmp', '/home/user']);
    expect(container?.config.HostConfig?.Mounts?.[1]?.VolumeOptions?.DriverConfig?.Options?.o).toContain(
      'uid=1000',
    );
    expect(ctx.results).toHaveLength(1);
  });

  it.each([
    ['an unknown template', { template: 'ruby' }, 'sbx template build ruby.json'],
    ['an unbuilt built-in', { template: 'python' }, 'sbx template build python'],
  ])(
    'refuses %s with a 400 naming the build command, recording and creating nothing',
    async (_, fields, command) => {
      ctx = await setup([NODE]);
      const { status, body } = await ctx.call('POST', '/v1/sandboxes', { type: 'docker', ...fields });
      expect(status).toBe(400);
      expect(body.error.code).toBe('TEMPLATE_NOT_FOUND');
      expect(body.error.message).toContain(`run \`${command}\``);
      expect(ctx.results).toEqual([]);
      expect(ctx.docker.containers).toEqual([]);
    },
  );

  it.each([
    [{ template: 'node', image: 'sbx-test/busybox' }, 'template: give image or template, not both'],
    [{}, 'image: is required (or give template: NAME)'],
    [{ template: 'node', pull: 'always' }, 'pull: a template is built on the host, never pulled'],
    [{ template: '../node' }, 'template: must be a template name'],
    [{ template: 'Node:latest' }, 'template: must be a template name'],
    [{ template: 'x'.repeat(41) }, 'template: must be a template name'],
  ])('refuses %j before any engine call', async (fields, message) => {
    ctx = await setup([NODE]);
    const { status, body } = await ctx.call('POST', '/v1/sandboxes', { type: 'docker', ...fields });
    expect(status).toBe(400);
    expect(body.error.message).toContain(message);
    expect(ctx.results).toEqual([]);
    expect(ctx.docker.containers).toEqual([]);
  });

  it('lists the built templates without host paths', async () => {
    ctx = await setup([NODE]);
    const { status, body } = await ctx.call('GET', '/v1/templates');
    expect(status).toBe(200);
    expect(body).toEqual({
      templates: [
        { name: 'node', hash: HASH, sizeBytes: 300_000_000, createdAt: NODE.createdAt, ready: 'running' },
      ],
    });
  });
});
