import type { Context, Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/sessions.js';
import { errorBody } from './http-errors.js';
import { type AppEnv, type AuthOptions, clientAddress, tooManyGuesses } from './request-guard.js';

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sbx - sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1>sbx</h1><p>Open the login URL that <code>sbx serve</code> printed, or paste a token from the token file.</p>
<form method="post" action="/login"><input name="token" type="password" autocomplete="off" required
 style="width:100%;padding:.5rem" aria-label="token"><p><button type="submit">Sign in</button></p></form>
</body></html>`;

/**
 * The dashboard's sign-in: `GET /login?code=...` (the one-time URL `sbx serve` prints) or a token posted from
 * the form; either sets an HttpOnly SameSite=Strict session cookie and goes to the dashboard. A sign-in posted
 * from another origin is refused (403: login CSRF), and a client whose sign-ins keep failing gets 429.
 */
export function loginRoutes(app: Hono<AppEnv>, auth: AuthOptions): void {
  const signIn = (c: Context<AppEnv>, session: string | undefined) => {
    if (session === undefined) {
      auth.guesses?.fail(clientAddress(c));
      return c.html(LOGIN_PAGE, 401);
    }
    setCookie(c, SESSION_COOKIE, session, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.redirect('/', 303);
  };
  app.get('/login', (c) => {
    const code = c.req.query('code');
    if (!code) return c.html(LOGIN_PAGE);
    return crossOrigin(c) ?? tooManyGuesses(c, auth) ?? signIn(c, auth.sessions.redeem(code));
  });
  app.post('/login', async (c) => {
    const refused = crossOrigin(c) ?? tooManyGuesses(c, auth);
    if (refused) return refused;
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const tenant = token ? auth.tokens.tenantOf(token) : undefined;
    return signIn(c, tenant === undefined ? undefined : auth.sessions.open(tenant));
  });
}

/**
 * 403 when a browser says the sign-in comes from another site (an `Origin` that is not this host, or
 * `Sec-Fetch-Site` other than same-origin or none): another site must not sign a visitor in as its own tenant.
 * A request with neither header (curl, a script) is no browser's and passes.
 */
function crossOrigin(c: Context<AppEnv>): Response | undefined {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  const host = c.req.header('host') ?? new URL(c.req.url).host;
  const sameOrigin = origin === undefined || originHost(origin) === host.toLowerCase();
  if (sameOrigin && (site === undefined || site === 'same-origin' || site === 'none')) return undefined;
  return c.json(
    errorBody(
      'CROSS_ORIGIN',
      `sign-in refused: it came from another site (${origin === undefined ? 'Sec-Fetch-Site' : 'Origin'} ${JSON.stringify(origin ?? site)}); open ${new URL(c.req.url).origin}/login itself`,
    ),
    403,
  );
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined; // `null` (a sandboxed frame, a file) is no origin of ours
  }
}

/** The login page, for the dashboard route when nobody is signed in. */
export const loginPage = LOGIN_PAGE;
