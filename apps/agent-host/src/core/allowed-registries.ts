import { AgentHostError } from '../errors.js';

/** The allow-list's name for the engine's default registry: where an image named without a host (`alpine`) comes from. */
export const DEFAULT_REGISTRY = 'default';

// host[:port] as an image reference spells its registry (a name with a dot or a port, `localhost`, an IPv6 literal).
const REGISTRY =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/;

/** The flag and environment variable of the registry allow-list. */
export const REGISTRY_SETTING = ['--allow-registry', 'SBX_ALLOW_REGISTRIES'] as const;

/**
 * The registries the engine may pull sandbox images from: `--allow-registry HOST` (repeatable) wins over
 * `SBX_ALLOW_REGISTRIES` (a comma list); none by default. Each is `host[:port]` as an image reference spells it,
 * or `default` for the engine's default registry; anything else is `INVALID_FLAG` / `INVALID_CONFIG`.
 */
export function parseAllowedRegistries(fromFlags: unknown, fromEnv: string | undefined): string[] {
  const [flag, variable] = REGISTRY_SETTING;
  const flagged = Array.isArray(fromFlags) && fromFlags.length > 0;
  const names = flagged ? fromFlags.map(String) : (fromEnv ?? '').split(',');
  const listed = names.map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  for (const name of listed) {
    if (name !== DEFAULT_REGISTRY && !(name.length <= 261 && REGISTRY.test(name))) {
      throw new AgentHostError(
        flagged ? 'INVALID_FLAG' : 'INVALID_CONFIG',
        `${flagged ? flag : variable}: ${JSON.stringify(name.slice(0, 80))} is not a registry: give host[:port] as image names spell it (e.g. registry.internal:5000), or "${DEFAULT_REGISTRY}" for the engine's default registry`,
      );
    }
  }
  return [...new Set(listed)];
}
