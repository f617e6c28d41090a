import { z } from 'zod';

/** One response of a documented route. */
export interface ResponseDoc {
  description: string;
  /** The body's schema (JSON unless `contentType` says otherwise); none for an empty body. */
  schema?: z.ZodType;
  contentType?: string;
  /** Other media types the same status may carry (by the request's `Accept`). */
  also?: Record<string, z.ZodType | undefined>;
}

/** One route of the API as the OpenAPI document describes it; the schemas are the ones the route validates with. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  /** As hono spells it: `/v1/sandboxes/:id`, `/dashboard/*`. */
  path: string;
  summary: string;
  /** False for routes anyone may call (default: a bearer token is needed). */
  auth?: boolean;
  query?: z.ZodObject;
  /** A JSON body's schema, or a raw body (`{ contentType, description }`). */
  body?: z.ZodType | { contentTypes: string[]; description: string };
  responses: Record<number, ResponseDoc>;
}

/** The OpenAPI path of a hono path: `:id` -> `{id}`, `*` -> `{path}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{path}');
}

type Json = Record<string, unknown>;

/**
 * Builds an OpenAPI 3.1 document from route descriptions: every zod schema becomes JSON Schema (draft 2020-12,
 * as 3.1 uses) with zod 4's own `z.toJSONSchema`; schemas with a `meta({ id })` land in `components.schemas`.
 */
export function buildOpenApi(
  info: { title: string; version: string; description: string },
  routes: RouteDoc[],
): Json {
  const components: Record<string, Json> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const {
      $defs,
      $schema: _,
      id,
      ...root
    } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as Json & { $defs?: Record<string, Json>; id?: string };
    for (const [name, def] of Object.entries($defs ?? {})) components[name] = rewriteRefs(def) as Json;
    if (typeof id === 'string') {
      components[id] = rewriteRefs(root) as Json;
      return { $ref: `#/components/schemas/${id}` };
    }
    return rewriteRefs(root) as Json;
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const operation: Json = { summary: route.summary, operationId: operationId(route), responses: {} };
    const parameters: Json[] = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
      const optional = (field as z.ZodType).safeParse(undefined).success;
      parameters.push({
        name,
        in: 'query',
        required: !optional,
        schema: convert(field as z.ZodType, 'input'),
      });
    }
    if (parameters.length > 0) operation.parameters = parameters;
    if (route.body instanceof z.ZodType) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: convert(route.body, 'input') } },
      };
    } else if (route.body) {
      const content = Object.fromEntries(
        route.body.contentTypes.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }]),
      );
      operation.requestBody = { required: true, description: route.body.description, content };
    }
    for (const [status, response] of Object.entries(route.responses)) {
      const type = response.contentType ?? 'application/json';
      const content: Record<string, Json> = {};
      if (response.schema) content[type] = { schema: convert(response.schema, 'output') };
      for (const [other, schema] of Object.entries(response.also ?? {})) {
        content[other] = {
          schema: schema ? convert(schema, 'output') : { type: 'string', contentMediaType: other },
        };
      }
      (operation.responses as Json)[status] = {
        description: response.description,
        ...(Object.keys(content).length > 0 ? { content } : {}),
      };
    }
    if (route.auth === false) operation.security = [];
    paths[path] ??= {};
    (paths[path] as Record<string, Json>)[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: 'http://127.0.0.1:7070' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a token from the token file sbx serve prints',
        },
      },
    },
  };
}

function operationId(route: RouteDoc): string {
  const words = route.path
    .split('/')
    .filter((w) => w && w !== 'v1')
    .map((w) => (w === '*' ? 'asset' : w.startsWith(':') ? `by-${w.slice(1)}` : w.replace(/\W/g, '-')));
  return [route.method, ...words]
    .join('-')
    .split('-')
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1)))
    .join('');
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string'
          ? v.replace('#/$defs/', '#/components/schemas/')
          : rewriteRefs(v),
      ]),
    );
  }
  return value;
}
