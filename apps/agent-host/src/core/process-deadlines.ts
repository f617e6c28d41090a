import { AgentHostError } from '../errors.js';
import type { ProcessAgent } from './process-agent.js';

/** Background processes one sandbox may have under a time limit at once (the agent runs at most 256). */
export const MAX_DEADLINES_PER_SANDBOX = 256;
// Past this many, a new start first forgets the processes the agent no longer runs.
const PRUNE_AT = 32;

interface Deadline {
  timer: ReturnType<typeof setTimeout>;
  tag: string;
}

/**
 * The host's own time limit on background processes: at the deadline the process is killed (SIGKILL to its
 * group) when the agent still lists it running with the tag it was started with, so a reused pid is never hit.
 * Bounded: at most `MAX_DEADLINES_PER_SANDBOX` per sandbox (ended ones are forgotten first), else a
 * `TOO_MANY_CONCURRENT` refusal before the process starts; timers never hold the host open.
 */
export class ProcessDeadlines {
  readonly #bySandbox = new Map<string, Map<number, Deadline>>();

  /** Makes room for one more in `sandboxId`, or throws `TOO_MANY_CONCURRENT`. */
  async reserve(sandboxId: string, agent: ProcessAgent, signal?: AbortSignal): Promise<void> {
    const held = this.#bySandbox.get(sandboxId);
    if (!held || held.size < PRUNE_AT) return;
    const running = new Set(
      (await agent.ps({ ...(signal ? { signal } : {}) })).filter((p) => p.running).map((p) => p.pid),
    );
    for (const [pid, deadline] of held) {
      if (!running.has(pid)) this.#forget(sandboxId, pid, deadline);
    }
    if ((this.#bySandbox.get(sandboxId)?.size ?? 0) >= MAX_DEADLINES_PER_SANDBOX) {
      throw new AgentHostError(
        'TOO_MANY_CONCURRENT',
        `at most ${MAX_DEADLINES_PER_SANDBOX} background processes run at once in one sandbox: wait for one or kill one (POST .../processes/PID/signal)`,
      );
    }
  }

  /** Kills `pid` (started with `tag`) after `ms` unless it ended. */
  arm(sandboxId: string, agent: ProcessAgent, pid: number, tag: string, ms: number): void {
    const held = this.#bySandbox.get(sandboxId) ?? new Map<number, Deadline>();
    this.#bySandbox.set(sandboxId, held);
    const old = held.get(pid);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => {
      this.#forget(sandboxId, pid, deadline);
      void expire(agent, pid, tag);
    }, ms);
    timer.unref?.();
    const deadline = { timer, tag };
    held.set(pid, deadline);
  }

  /** How many deadlines `sandboxId` holds. */
  count(sandboxId: string): number {
    return this.#bySandbox.get(sandboxId)?.size ?? 0;
  }

  #forget(sandboxId: string, pid: number, deadline: Deadline): void {
    clearTimeout(deadline.timer);
    const held = this.#bySandbox.get(sandboxId);
    if (held?.get(pid) !== deadline) return;
    held.delete(pid);
    if (held.size === 0) this.#bySandbox.delete(sandboxId);
  }
}

// The process is killed only while the agent lists it running with its tag; a gone sandbox or agent is no error.
async function expire(agent: ProcessAgent, pid: number, tag: string): Promise<void> {
  try {
    const found = (await agent.ps()).find((p) => p.pid === pid && p.tag === tag && p.running);
    if (found) await agent.signal(pid, 'SIGKILL');
  } catch {
    // the sandbox or its agent went away: nothing left to kill
  }
}
