// The pages (sign-in, dashboard, the WebContainer measuring page) and their assets (see openapi-routes).
import type { RouteDoc } from './openapi.js';
import { err, html } from './openapi-responses.js';

/** The docs of the HTML pages and their assets. */
export function pageRouteDocs(): RouteDoc[] {
  return [
    {
      method: 'get',
      path: '/login',
      summary: 'the dashboard sign-in (code= redeems a one-time login URL)',
      auth: false,
      responses: {
        200: html('the sign-in page'),
        303: { description: 'signed in: to the dashboard' },
        401: html('unknown code'),
      },
    },
    {
      method: 'post',
      path: '/login',
      summary: 'sign in to the dashboard with a token (form)',
      auth: false,
      body: { contentTypes: ['application/x-www-form-urlencoded'], description: 'token=...' },
      responses: { 303: { description: 'signed in: to the dashboard' }, 401: html('unknown token') },
    },
    {
      method: 'get',
      path: '/',
      summary: 'the dashboard',
      auth: false,
      responses: { 200: html('the dashboard'), 401: html('the sign-in page') },
    },
    {
      method: 'get',
      path: '/dashboard/*',
      summary: "the dashboard's assets",
      auth: false,
      responses: { 200: { description: 'an asset' }, 404: err('no such asset') },
    },
    {
      method: 'get',
      path: '/webcontainer',
      summary: 'the WebContainer measuring page',
      auth: false,
      responses: { 200: html('the page') },
    },
    {
      method: 'get',
      path: '/assets/*',
      summary: "the measuring page's modules",
      auth: false,
      responses: { 200: { description: 'an asset' }, 404: err('no such asset') },
    },
  ];
}
