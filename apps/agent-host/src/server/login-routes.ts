import type { Context, Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { AppEnv, AuthOptions } from '../auth/request-guard.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/sessions.js';

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sbx - sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1>sbx</h1><p>Open the login URL that <code>sbx serve</code> printed, or paste a token from the token file.</p>
<form method="post" action="/login"><input name="token" type="password" autocomplete="off" required
 style="width:100%;padding:.5rem" aria-label="token"><p><button type="submit">Sign in</button></p></form>
</body></html>`;

/**
 * The dashboard's sign-in: `GET /login?code=...` (the one-time URL `sbx serve` prints) or a token posted from
 * the form; either sets an HttpOnly SameSite=Strict session cookie and goes to the dashboard.
 */
export function loginRoutes(app: Hono<AppEnv>, auth: AuthOptions): void {
  const signIn = (c: Context<AppEnv>, session: string | undefined) => {
    if (session === undefined) return c.html(LOGIN_PAGE, 401);
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
    return code ? signIn(c, auth.sessions.redeem(code)) : c.html(LOGIN_PAGE);
  });
  app.post('/login', async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const tenant = token ? auth.tokens.tenantOf(token) : undefined;
    return signIn(c, tenant === undefined ? undefined : auth.sessions.open(tenant));
  });
}

/** The login page, for the dashboard route when nobody is signed in. */
export const loginPage = LOGIN_PAGE;
