import { hostname } from 'node:os';
import { defaultOwner, isLocalOwnerAlive, type LocalProcesses } from '@sbx/bootstrap';
import { describe, expect, it } from 'vitest';
import { startTimeOf } from './owner.js';

// A /proc/PID/stat line; the command name may hold spaces and parentheses.
const stat = (pid: number, startTime: number, comm = 'node') =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 2310 0 0 0 12 3 0 0 20 0 11 0 ${startTime} 1126400000 12000 18446744073709551615`;

/** A host `box` where the given pids run, started at the given clock ticks. */
function host(running: Record<number, number>, proc = true): LocalProcesses {
  return {
    hostname: () => 'box',
    exists: (pid) => pid in running,
    readStat: (pid) => (proc && running[pid] !== undefined ? stat(pid, running[pid]) : undefined),
  };
}

describe('defaultOwner', () => {
  it('is host:pid:startTime:instanceId, with the start time from /proc/PID/stat', () => {
    const owner = defaultOwner(host({ [process.pid]: 98765 }));
    expect(owner).toMatch(new RegExp(`^box:${process.pid}:98765:[0-9a-f]{8}$`));
    // The instance id is the same for the whole process.
    expect(defaultOwner(host({ [process.pid]: 98765 }))).toBe(owner);
  });

  it('stamps - as the start time where /proc cannot be read', () => {
    expect(defaultOwner(host({ [process.pid]: 1 }, false))).toMatch(
      new RegExp(`^box:${process.pid}:-:[0-9a-f]{8}$`),
    );
  });

  it('reads this process on this machine', () => {
    const owner = defaultOwner();
    expect(owner.startsWith(`${hostname()}:${process.pid}:`)).toBe(true);
    expect(isLocalOwnerAlive(owner)).toBe(true);
  });
});

describe('isLocalOwnerAlive', () => {
  it('is alive only while the pid exists and started at the stamped time', () => {
    const box = host({ 42: 1000 });
    expect(isLocalOwnerAlive('box:42:1000:ab12cd34', box)).toBe(true);
    // The pid was reused by a process that started later: the owner is dead.
    expect(isLocalOwnerAlive('box:42:999:ab12cd34', box)).toBe(false);
    expect(isLocalOwnerAlive('box:43:1000:ab12cd34', box)).toBe(false);
  });

  it('judges by the pid alone where the start time is unknown (stamped -, or no /proc now)', () => {
    expect(isLocalOwnerAlive('box:42:-:ab12cd34', host({ 42: 1000 }))).toBe(true);
    expect(isLocalOwnerAlive('box:42:999:ab12cd34', host({ 42: 1000 }, false))).toBe(true);
    expect(isLocalOwnerAlive('box:7:-:ab12cd34', host({ 42: 1000 }))).toBe(false);
  });

  it('still understands the old host:pid format', () => {
    expect(isLocalOwnerAlive('box:42', host({ 42: 1000 }))).toBe(true);
    expect(isLocalOwnerAlive('box:43', host({ 42: 1000 }))).toBe(false);
  });

  it('presumes owners on other hosts, and labels in no known format, alive', () => {
    expect(isLocalOwnerAlive('elsewhere:43:1:ab12cd34', host({}))).toBe(true);
    expect(isLocalOwnerAlive('elsewhere:43', host({}))).toBe(true);
    expect(isLocalOwnerAlive('not an owner', host({}))).toBe(true);
    expect(isLocalOwnerAlive('', host({}))).toBe(true);
  });

  it('checks the real processes of this host by default', () => {
    // Above the kernel's pid_max, so no process can have it.
    expect(isLocalOwnerAlive(`${hostname()}:99999999:1:ab12cd34`)).toBe(false);
    expect(isLocalOwnerAlive(`${hostname()}:${process.pid}`)).toBe(true);
  });
});

describe('startTimeOf', () => {
  it('reads field 22 even when the command name holds spaces and parentheses', () => {
    expect(startTimeOf(stat(1, 5555, 'my (weird) cmd'))).toBe('5555');
    expect(startTimeOf('garbage')).toBeUndefined();
    expect(startTimeOf('1 (x) S 1')).toBeUndefined();
  });
});
