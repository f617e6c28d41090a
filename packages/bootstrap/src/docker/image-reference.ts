import { BootstrapError } from '../errors.js';

// The grammar of github.com/distribution/reference (what the engine accepts), in pieces. The character
// classes of neighbouring pieces are disjoint and the input is length-capped first, so matching is linear.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

const PATH_ONLY = new RegExp(`^${PATH_COMPONENT}$`);

/** The longest image reference sbx accepts (the engine's name limit is 255, plus tag and digest). */
export const MAX_IMAGE_REFERENCE_CHARS = 512;

/** An image reference split into its parts. */
export interface ImageReference {
  domain: string | undefined;
  path: string;
  tag: string | undefined;
  digest: string | undefined;
}

/**
 * Parses an image reference (`busybox`, `sbx-test/busybox:1`, `host:5000/a/b@sha256:...`) with the engine's
 * own grammar, before any engine call; anything else throws `INVALID_SPEC` saying what is wrong.
 */
export function parseImageReference(text: string): ImageReference {
  const invalid = (why: string) =>
    new BootstrapError(
      'INVALID_SPEC',
      `image ${JSON.stringify(text.slice(0, 80))} is not a valid reference: ${why}`,
      {
        phase: 'image',
      },
    );
  if (typeof text !== 'string' || text.length === 0) throw invalid('it is empty');
  if (text.length > MAX_IMAGE_REFERENCE_CHARS)
    throw invalid(`longer than ${MAX_IMAGE_REFERENCE_CHARS} characters`);
  const match = REFERENCE.exec(text);
  if (!match) {
    throw invalid(
      'expected [host[:port]/]name[:tag][@digest] with lowercase path components (e.g. sbx-test/busybox:latest)',
    );
  }
  let [, domain, path = '', tag, digest] = match;
  // As the engine reads it: a first component is a registry only with a dot, a port, or `localhost`.
  if (domain !== undefined && !/[.:[]/.test(domain) && domain !== 'localhost') {
    if (!PATH_ONLY.test(domain))
      throw invalid(`${JSON.stringify(domain)} must be lowercase letters, digits and separators`);
    path = `${domain}/${path}`;
    domain = undefined;
  }
  const name = domain ? `${domain}/${path}` : path;
  if (name.length > 255) throw invalid('the name is longer than 255 characters');
  return { domain, path, tag, digest };
}
