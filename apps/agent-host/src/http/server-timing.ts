import type { MiddlewareHandler } from 'hono';

/**
 * Adds `total;dur=MS` to the `Server-Timing` of every answer to a POST it wraps: from the request reaching the
 * sandbox routes (authenticated) to the answer, the KPI row written. `sbx bench` reads it as the server side.
 */
export const serverTiming: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'POST') return next();
  const accepted = performance.now();
  await next();
  c.header('Server-Timing', `total;dur=${(performance.now() - accepted).toFixed(3)}`, { append: true });
};
