import type { SandboxPolicy } from '../core/sandbox-policy.js';

/** One flag of `sbx provision TYPE`, as data: the CLI builds its option from it. */
export interface KindFlag {
  /** The flag as commander spells it: `--image <image>`, `--json`, `--fake [scenario]`. */
  flags: string;
  description: string;
  /** The values allowed, when the flag is a choice. */
  choices?: readonly string[];
  /** How the value is read: a strict whole number (at most `max`), or repeatable `KEY=VALUE` pairs. */
  parse?: { wholeNumber: { max?: number } } | 'env-pair';
  /** The value when the flag is not given. */
  default?: string | number;
}

/** What `sbx provision TYPE` shows and how it runs. */
interface KindCliBase {
  description: string;
  flags: readonly KindFlag[];
  /** One example command line, shown after the options. */
  example: string;
}

/**
 * How `sbx provision TYPE` runs: `host-batch` provisions a batch through the host (the CLI adds `--count`,
 * `--concurrency`, `--exec`...; `toSpec` makes the spec from the kind's own flags and throws `INVALID_FLAG`
 * naming one); `browser-page` drives the kind's measuring page in headless Chromium.
 */
export type KindCli =
  | (KindCliBase & {
      runner: 'host-batch';
      toSpec(opts: Record<string, unknown>): unknown;
      /**
       * Holds a spec to the server's policy, as `POST /v1/sandboxes` does (`sbx provision --policy server`, the
       * default); `name` spells a field as a flag. Throws `POLICY_LIMIT` naming it.
       */
      applyPolicy?(spec: unknown, policy: SandboxPolicy, name: (field: string) => string): unknown;
    })
  | (KindCliBase & { runner: 'browser-page' });
