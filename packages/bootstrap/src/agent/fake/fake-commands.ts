// The commands a `FakeAgentServer` knows without being told: a few busybox applets, enough for the host's unit
// tests. Anything else is `NOT_FOUND`, as the real agent answers a command missing from the sandbox's PATH.
import { setTimeout as delay } from 'node:timers/promises';

/** What a fake command gets: its argv, environment and cwd, its stdin, and where its output goes. */
export interface FakeCommandContext {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Its standard input (empty unless the run asked for stdin). */
  stdin: AsyncIterable<Uint8Array>;
  /** Writes output; resolves when the host took it (backpressure, as the real agent's pipes). */
  write(stream: 'stdout' | 'stderr', data: string | Uint8Array): Promise<void>;
  /** Aborts when the process is killed. */
  signal: AbortSignal;
}

/** A fake command: resolves to its exit code. */
export type FakeCommand = (ctx: FakeCommandContext) => Promise<number>;

/** `echo`, `cat`, `sleep`, `true`, `false`, `pwd`, `printenv`, and `sh -c` of `;`-separated such commands. */
export const DEFAULT_FAKE_COMMANDS: Readonly<Record<string, FakeCommand>> = Object.freeze({
  echo: async (ctx) => {
    await ctx.write('stdout', `${ctx.argv.slice(1).join(' ')}\n`);
    return 0;
  },
  cat: async (ctx) => {
    for await (const chunk of ctx.stdin) await ctx.write('stdout', chunk);
    return 0;
  },
  sleep: async (ctx) => {
    await delay(Number(ctx.argv[1] ?? 0) * 1000, undefined, { signal: ctx.signal });
    return 0;
  },
  true: async () => 0,
  false: async () => 1,
  pwd: async (ctx) => {
    await ctx.write('stdout', `${ctx.cwd}\n`);
    return 0;
  },
  printenv: async (ctx) => {
    const value = ctx.env[ctx.argv[1] ?? ''];
    if (value === undefined) return 1;
    await ctx.write('stdout', `${value}\n`);
    return 0;
  },
  sh: async (ctx) => {
    if (ctx.argv[1] !== '-c') return 2;
    let code = 0;
    for (const part of (ctx.argv[2] ?? '').split(';')) {
      const words = part.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) continue;
      if (words[0] === 'exit') return Number(words[1] ?? code);
      const toStderr = words.at(-1) === '>&2';
      const argv = toStderr ? words.slice(0, -1) : words;
      const command = DEFAULT_FAKE_COMMANDS[argv[0] ?? ''];
      if (!command || argv[0] === 'sh') {
        await ctx.write('stderr', `sh: ${argv[0]}: not found\n`);
        code = 127;
        continue;
      }
      code = await command({
        ...ctx,
        argv,
        write: (stream, data) => ctx.write(toStderr ? 'stderr' : stream, data),
      });
    }
    return code;
  },
});
