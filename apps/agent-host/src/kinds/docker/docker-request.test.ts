import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../core/sandbox-policy.js';
import { dockerRequest, dockerRequestSchema } from './docker-request.js';

describe('the docker body of POST /v1/sandboxes: agent', () => {
  it('passes agent: false (and true) to the spec; leaves it out when not asked', () => {
    const policy = defaultPolicy(2);
    const spec = (agent?: boolean) =>
      dockerRequest.toSpec(
        dockerRequestSchema.parse({
          image: 'sbx-test/busybox:latest',
          ...(agent === undefined ? {} : { agent }),
        }),
        policy,
      ) as { agent?: boolean };
    expect(spec(false).agent).toBe(false);
    expect(spec(true).agent).toBe(true);
    expect('agent' in spec()).toBe(false);
  });

  it('refuses an agent that is not a boolean', () => {
    const parsed = dockerRequestSchema.safeParse({ image: 'sbx-test/busybox:latest', agent: 'no' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['agent']);
  });
});
