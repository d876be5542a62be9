/**
 * The REST API under `/api/v1` (design.md §4): bearer API key authentication (a key sees only
 * its tenant's records; another tenant's answer 404), one error shape, the submit route for
 * JSON and streamed CSV bodies, the read routes and the retry / cancel actions. Requests are
 * parsed with the zod schemas of `api-schemas.ts`; the same schemas document the routes in the
 * OpenAPI document served at `/docs`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BulkChangeActions } from '../app/bulk-changes/bulk-change-actions.ts';
import type {
  AuthenticatedTenant,
  BulkChangeApiStore,
} from '../app/ports/bulk-change-api-store.ts';
import type { SubmitBulkChange } from '../app/submit/submit-bulk-change.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import { toErrorResponse } from './error-responses.ts';
import { registerBulkChangeRoutes } from './routes/bulk-change-routes.ts';
import { registerCatalogRoutes } from './routes/catalog-routes.ts';
import { registerSubmitRoute } from './routes/submit-route.ts';

/** What the API needs. */
export interface ApiDeps {
  store: BulkChangeApiStore;
  submit: SubmitBulkChange;
  actions: BulkChangeActions;
  /** @default () => new Date() */
  now?: () => Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API's authentication hook. */
    tenant?: AuthenticatedTenant;
  }
}

/** The authenticated tenant of a request (the hook guarantees it inside the API). */
export function tenantOf(request: FastifyRequest): AuthenticatedTenant {
  const tenant = request.tenant;
  if (tenant === undefined) throw unauthorized('Missing API key');
  return tenant;
}

function unauthorized(message: string): AppError {
  return new AppError(ErrorCode.UNAUTHORIZED, message);
}

/**
 * Registers the API on `app` under `/api/v1`.
 *
 * @example
 * app.register((api) => registerApi(api, deps), { prefix: '/api/v1' });
 */
export async function registerApi(api: FastifyInstance, deps: ApiDeps): Promise<void> {
  // Requests are parsed by zod in the handlers; the route schemas only document them.
  api.setValidatorCompiler(() => () => true);
  api.setSerializerCompiler(() => (data) => JSON.stringify(data));

  api.decorateRequest('tenant', undefined);
  api.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) {
      reply.header('www-authenticate', 'Bearer');
      throw unauthorized(
        header === undefined
          ? 'Missing API key: send "Authorization: Bearer <API key>"'
          : 'Malformed Authorization header: expected "Bearer <API key>"',
      );
    }
    const tenant = await deps.store.authenticate(match[1]);
    if (tenant === undefined) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw unauthorized('Unknown or revoked API key');
    }
    request.tenant = tenant;
  });

  api.setErrorHandler((error, request, reply) => {
    const answer = toErrorResponse(error);
    if (answer.internal) request.log.error({ err: error }, 'request failed');
    else request.log.debug({ code: answer.body.code }, answer.body.message);
    return reply.code(answer.status).send(answer.body);
  });
  api.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: ErrorCode.NOT_FOUND,
      message: `No route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );

  registerCatalogRoutes(api, deps);
  registerSubmitRoute(api, deps);
  registerBulkChangeRoutes(api, deps);
}
