import { DockerAdapter } from '@sbx/bootstrap';
import { connectionError, FakeDocker, httpError } from '@sbx/bootstrap/testing';
import { describe, expect, it, vi } from 'vitest';
import { SBX_LABELS } from './container-config.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');

function row(id: string, labels: Record<string, string>) {
  return {
    Id: id,
    Names: [`/${id}`],
    Image: 'img',
    Created: 1_800_000_000,
    State: 'running',
    Labels: labels,
  };
}

function managed(id: string, owner: string, expiresAtMs: number | undefined) {
  return row(id, {
    [SBX_LABELS.managedBy]: 'sbx',
    [SBX_LABELS.owner]: owner,
    [SBX_LABELS.sandboxId]: `sbx-${id}`,
    ...(expiresAtMs === undefined ? {} : { [SBX_LABELS.expiresAt]: String(expiresAtMs) }),
  });
}

async function withContainers(ids: string[]) {
  const docker = new FakeDocker(['img']);
  for (const id of ids) await docker.createContainer({ name: id, Image: 'img' });
  const logger = { warn: vi.fn(), error: vi.fn() };
  return { docker, logger, adapter: new DockerAdapter({ docker, logger, wallClock: { now: () => NOW } }) };
}

describe('DockerAdapter.listManaged', () => {
  it('lists only sbx containers, with owner, expiry and sandbox id read from the labels', async () => {
    const { docker, adapter } = await withContainers([]);
    docker.listed = [managed('a', 'h:1', NOW.getTime() + 1)];
    expect(await adapter.listManaged()).toEqual([
      {
        sandboxId: 'sbx-a',
        containerId: 'a',
        image: 'img',
        state: 'running',
        owner: 'h:1',
        expiresAt: new Date(NOW.getTime() + 1),
        createdAt: new Date(1_800_000_000_000),
      },
    ]);
    expect(docker.listOptions).toEqual([{ all: true, filters: { label: ['sbx.managed-by=sbx'] } }]);
  });

  it('wraps an unreachable engine', async () => {
    const { docker, adapter } = await withContainers([]);
    docker.hooks.list = () => {
      throw connectionError('ECONNREFUSED');
    };
    await expect(adapter.listManaged()).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE' });
  });
});

describe('DockerAdapter.reap', () => {
  it('removes expired containers and those whose owner is gone, and keeps the rest', async () => {
    const { docker, adapter } = await withContainers(['expired', 'orphan', 'live']);
    const later = NOW.getTime() + 60_000;
    docker.listed = [
      managed('expired', 'alive:1', NOW.getTime()),
      managed('orphan', 'dead:2', later),
      managed('live', 'alive:1', later),
    ];
    const { removed } = await adapter.reap({ isOwnerAlive: (owner) => owner !== 'dead:2' });
    expect(removed).toEqual(['expired', 'orphan']);
    expect(docker.live.map((c) => c.name)).toEqual(['live']);
  });

  it('keeps what `keep` claims (a sandbox whose host extended its life) whatever its expiry label says', async () => {
    const { docker, adapter } = await withContainers(['extended', 'expired']);
    docker.listed = [
      managed('extended', 'alive:1', NOW.getTime()),
      managed('expired', 'alive:1', NOW.getTime()),
    ];
    const { removed } = await adapter.reap({
      isOwnerAlive: () => true,
      keep: (container) => container.sandboxId === 'sbx-extended',
    });
    expect(removed).toEqual(['expired']);
    expect(docker.live.map((c) => c.name)).toEqual(['extended']);
  });

  it('keeps a container whose expiry label is unreadable or missing while its owner may be alive, and says so', async () => {
    const { docker, adapter, logger } = await withContainers(['nan', 'none', 'nan-orphan']);
    const unreadable = (id: string, owner: string) => {
      const summary = managed(id, owner, undefined);
      summary.Labels[SBX_LABELS.expiresAt] = 'NaN';
      return summary;
    };
    docker.listed = [
      unreadable('nan', 'alive:1'),
      managed('none', 'alive:1', undefined),
      unreadable('nan-orphan', 'dead:2'),
    ];
    const { removed } = await adapter.reap({ isOwnerAlive: (owner) => owner !== 'dead:2' });
    expect(removed).toEqual(['nan-orphan']);
    expect(logger.warn.mock.calls).toEqual([
      ['keeping container nan: expiry label "NaN" unreadable and owner alive:1 may be alive'],
      ['keeping container none: expiry label missing and owner alive:1 may be alive'],
    ]);
    expect((await adapter.listManaged()).map((c) => c.expiresAt)).toEqual([undefined, undefined, undefined]);
  });

  it('reads an expiry beyond the range of dates as unreadable', async () => {
    const { docker, adapter } = await withContainers(['far']);
    docker.listed = [managed('far', 'alive:1', 9e18)];
    expect((await adapter.listManaged())[0]?.expiresAt).toBeUndefined();
    expect((await adapter.reap({ isOwnerAlive: () => true })).removed).toEqual([]);
  });

  it('judges expiry against the given time', async () => {
    const { docker, adapter } = await withContainers(['a']);
    docker.listed = [managed('a', 'alive:1', NOW.getTime() + 1_000)];
    const alive = () => true;
    expect((await adapter.reap({ isOwnerAlive: alive })).removed).toEqual([]);
    expect(
      (await adapter.reap({ isOwnerAlive: alive, now: new Date(NOW.getTime() + 1_000) })).removed,
    ).toEqual(['a']);
  });

  it('logs and skips a container it cannot remove, and does not count one already gone', async () => {
    const { docker, adapter, logger } = await withContainers(['stuck', 'gone', 'ok']);
    docker.listed = [managed('stuck', 'x:1', 0), managed('gone', 'x:1', 0), managed('ok', 'x:1', 0)];
    await docker.getContainer('gone').remove();
    docker.hooks.remove = (c) => {
      if (c.name === 'stuck') throw httpError(500, 'device or resource busy');
    };
    expect((await adapter.reap()).removed).toEqual(['ok']);
    expect(logger.warn).toHaveBeenCalledWith('reap could not remove container stuck', expect.anything());
  });
});
