import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { PREVIEW_PARAM, type PreviewSigner } from '../auth/preview-signer.js';
import { errorBody } from './http-errors.js';
import { PORTS_PATH, PREVIEW_URL_PATH } from './port-routes.js';
import { type AppEnv, type AuthOptions, clientAddress, tooManyGuesses } from './request-guard.js';

/** The tenant owning sandbox `id` when `token` is its E2B `envdAccessToken`, else undefined. */
export type AccessTokenTenant = (id: string, token: string) => string | undefined;

/**
 * Authentication of `/v1/*` with previews in mind: a preview path (`/v1/sandboxes/ID/ports/PORT/...`) without a
 * bearer token is opened by a signed preview token (`?sbx_preview=` or its cookie) for that sandbox and port
 * only, or by that sandbox's E2B access token in `X-Access-Token` (with `accessTenant`), never by the
 * dashboard's session cookie (a page one preview serves shares the host's origin). A wrong or expired token is
 * 401 and counts as a failed guess. Everything else goes to `authenticate`.
 */
export function previewAuth(
  signer: PreviewSigner,
  authenticate: MiddlewareHandler<AppEnv>,
  auth: AuthOptions | undefined,
  accessTenant?: AccessTokenTenant,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = PORTS_PATH.exec(c.req.path);
    const signing = c.req.method === 'POST' && PREVIEW_URL_PATH.test(c.req.path);
    if (!match || signing || !auth || c.req.header('authorization') !== undefined)
      return authenticate(c, next);
    const refused = tooManyGuesses(c, auth);
    if (refused) return refused;
    const access = c.req.header('x-access-token');
    const byAccess = access === undefined ? undefined : accessTenant?.(match[1] as string, access);
    if (byAccess !== undefined) {
      c.set('tenant', byAccess);
      return next();
    }
    const token = new URL(c.req.url).searchParams.get(PREVIEW_PARAM) ?? getCookie(c, PREVIEW_PARAM);
    const verified =
      token === undefined ? undefined : signer.verify(token, match[1] as string, Number(match[2]));
    if (!verified) {
      if (token !== undefined || access !== undefined) auth.guesses?.fail(clientAddress(c));
      c.header('WWW-Authenticate', 'Bearer realm="sbx"');
      return c.json(
        errorBody(
          'UNAUTHORIZED',
          token === undefined
            ? 'send Authorization: Bearer TOKEN, or open a signed preview URL (POST .../ports/PORT/url)'
            : 'this preview token is wrong or expired, or for another sandbox or port: ask for a new URL',
        ),
        401,
      );
    }
    c.set('tenant', verified.tenant);
    await next();
  };
}
