import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  abortedDuring,
  bounded,
  callUnlessAborted,
  raceAbort,
  settled,
  sleep,
  whenAborted,
} from './bounded.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

describe('bounded', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles like the promise and leaves no timer', async () => {
    await expect(bounded(Promise.resolve(1), { ms: 1_000 })).resolves.toBe(1);
    await expect(bounded(Promise.reject(new Error('no')), { ms: 1_000 })).rejects.toThrow('no');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with onTimeout() when the timer fires, and hands the late value to late', async () => {
    const reply = deferred<string>();
    const late = vi.fn();
    const waiting = bounded(reply.promise, { ms: 100, onTimeout: () => new Error('slow'), late });
    const failure = expect(waiting).rejects.toThrow('slow');
    await vi.advanceTimersByTimeAsync(100);
    await failure;
    reply.resolve('stream');
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toHaveBeenCalledWith('stream');
  });

  it('rejects with the abort reason (or onAbort of it) and removes its listener once settled', async () => {
    const controller = new AbortController();
    const reason = new Error('gone');
    const waiting = raceAbort(new Promise(() => {}), controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const mapped = bounded(new Promise(() => {}), {
      signal: AbortSignal.abort(new DOMException('deadline of 5 ms exceeded', 'TimeoutError')),
      onAbort: (r) => abortedDuring('boot', r),
    });
    await expect(mapped).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'boot', retryable: true });
  });

  it('hands a value that resolves after an abort to late, not to the caller', async () => {
    const controller = new AbortController();
    const reply = deferred<string>();
    const late = vi.fn();
    const waiting = raceAbort(reply.promise, controller.signal, late);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    reply.resolve('late stream');
    await reply.promise;
    expect(late).toHaveBeenCalledWith('late stream');
  });
});

describe('callUnlessAborted', () => {
  it('does not call when the signal has already aborted', async () => {
    const call = vi.fn(async () => 1);
    await expect(callUnlessAborted(AbortSignal.abort(new Error('x')), call)).rejects.toThrow('x');
    expect(call).not.toHaveBeenCalled();
    await expect(callUnlessAborted(undefined, call)).resolves.toBe(1);
  });
});

describe('whenAborted', () => {
  it('runs at once for an aborted signal, on abort otherwise, and not after it was stopped', () => {
    const ran = vi.fn();
    whenAborted(AbortSignal.abort(), ran);
    expect(ran).toHaveBeenCalledTimes(1);
    const controller = new AbortController();
    const stop = whenAborted(controller.signal, ran);
    stop();
    controller.abort();
    expect(ran).toHaveBeenCalledTimes(1);
    const other = new AbortController();
    whenAborted(other.signal, ran);
    other.abort();
    expect(ran).toHaveBeenCalledTimes(2);
    expect(whenAborted(undefined, ran)).toBeTypeOf('function');
  });
});

describe('sleep and settled', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sleeps on a timer and stops (clearing it) when the signal aborts', async () => {
    const slept = sleep(50);
    await vi.advanceTimersByTimeAsync(50);
    await expect(slept).resolves.toBeUndefined();
    const controller = new AbortController();
    const cut = sleep(1_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(cut).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(1, AbortSignal.abort(new Error('before')))).rejects.toThrow('before');
  });

  it('settles to the value or undefined', async () => {
    expect(await settled(Promise.resolve(2))).toBe(2);
    expect(await settled(Promise.reject(new Error('x')))).toBeUndefined();
    expect(await settled(undefined)).toBeUndefined();
  });

  it('abortedDuring: a caller that gave up is ABORTED, not retryable', () => {
    expect(abortedDuring('mount', new Error('bye'))).toMatchObject({
      code: 'ABORTED',
      phase: 'mount',
      retryable: false,
      message: 'provisioning was aborted during mount',
    });
  });
});
