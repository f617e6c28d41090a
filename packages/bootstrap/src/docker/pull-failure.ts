import { BootstrapError } from '../errors.js';
import { engineMessage, statusCodeOf } from './docker-error.js';

/** What a failed pull means for the caller: its code, whether trying again can help, and why, in sbx's words. */
export interface PullVerdict {
  code: 'IMAGE_NOT_FOUND' | 'PULL_FAILED';
  retryable: boolean;
  why: string;
}

// Read in order: the first rule whose pattern is in the engine's text decides. The engine's text itself is never
// returned (it names whatever host the engine reached and how it answered: a port scanner's readout).
const RULES: ReadonlyArray<readonly [RegExp, PullVerdict]> = [
  [
    /manifest unknown|not found|does not exist|pull access denied|repository .* not exist/i,
    {
      code: 'IMAGE_NOT_FOUND',
      retryable: false,
      why: 'the registry has no such image (check its name and tag)',
    },
  ],
  [
    /unauthorized|authentication required|access .*denied|forbidden/i,
    {
      code: 'PULL_FAILED',
      retryable: false,
      why: 'the registry refused access (log the engine in with docker login, or use an image it may pull)',
    },
  ],
  [
    /no such host|server misbehaving|name or service not known|name resolution|could not resolve/i,
    {
      code: 'PULL_FAILED',
      retryable: false,
      why: "the registry's host name does not resolve (check it, or build or load the image on the engine's host)",
    },
  ],
  [
    /too ?many ?requests|time(?:d)? ?out|deadline exceeded|connection (?:refused|reset)|network is unreachable|no route to host|temporar|unavailable|bad gateway|\bEOF\b|handshake/i,
    {
      code: 'PULL_FAILED',
      retryable: true,
      why: 'the registry could not be reached or was busy (a later try may succeed)',
    },
  ],
];

/** Classifies a pull failure from the engine's text (or an HTTP status): what cannot succeed is not retryable. */
export function judgePull(engineText: string, status?: number): PullVerdict {
  for (const [pattern, verdict] of RULES) if (pattern.test(engineText)) return verdict;
  if (status === 404) return RULES[0]?.[1] as PullVerdict;
  if (status === 502 || status === 503 || status === 504) return RULES[3]?.[1] as PullVerdict;
  return { code: 'PULL_FAILED', retryable: false, why: 'the engine could not pull it' };
}

/**
 * The error of a failed pull of `image`: one line with the code's meaning and what to do, never the engine's own
 * text (kept as `cause` for the operator). `failure` is the engine's error (a stream's error line or a call's).
 */
export function pullFailure(image: string, failure: unknown): BootstrapError {
  const text = typeof failure === 'string' ? failure : engineMessage(failure);
  const verdict = judgePull(text, statusCodeOf(failure));
  return new BootstrapError(verdict.code, `pulling image ${image} failed: ${verdict.why}`, {
    cause: failure,
    phase: 'image',
    retryable: verdict.retryable,
  });
}
