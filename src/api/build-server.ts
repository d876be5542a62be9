/**
 * Builds the HTTP server without listening, so that tests can use `inject` and entry points
 * decide where to listen. Routes: `GET /health`, `GET /metrics`, carrier callbacks, when
 * `demoWebhooks` is given (local mode) the demo webhook receiver at `/demo/webhooks`, and when
 * `api` is given the REST API under `/api/v1` (`register-api.ts`) with its docs at `/docs`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { HealthCheck } from '../app/health.ts';
import type { ServiceMetrics } from './metrics.ts';
import { type ApiDeps, registerApi } from './register-api.ts';
import { registerDocs } from './register-docs.ts';

/** Dependencies of the HTTP server. */
export interface ServerDeps {
  /** Process logger (pino); request logs are children of it. */
  logger: FastifyBaseLogger;
  health: HealthCheck;
  metrics: ServiceMetrics;
  /**
   * Carrier callback endpoints by integration path segment (e.g. `thingspace`): each checks the
   * body and its credentials and answers with an HTTP status.
   */
  callbacks?: Readonly<
    Record<string, (body: unknown) => Promise<{ statusCode: number; body: unknown }>>
  >;
  /** The REST API under `/api/v1` and its OpenAPI docs at `/docs` (absent: not served). */
  api?: ApiDeps & { version: string };
  /** Local mode's demo webhook receiver at `/demo/webhooks` (absent: not served). */
  demoWebhooks?: DemoWebhookEndpoint;
}

/**
 * The demo status-webhook receiver (`runtime/demo-webhook-receiver.ts`): `receive` gets the
 * request headers and the raw body (the signature covers the exact bytes), `list` what was
 * received.
 */
export interface DemoWebhookEndpoint {
  receive(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    rawBody: string,
  ): Promise<{ statusCode: number; body: unknown }>;
  list(): Promise<unknown>;
}

/**
 * Creates the Fastify instance with the operational routes.
 *
 * @example
 * const app = buildServer({ logger, health, metrics });
 * const res = await app.inject({ method: 'GET', url: '/health' });
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Requests are logged once, at debug level, by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 20 * 1024 * 1024,
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequestDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    request.log.debug(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        ms: reply.elapsedTime,
      },
      'request',
    );
  });

  app.get('/health', async (_request, reply) => {
    const report = await deps.health.check();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.post<{ Params: { carrier: string } }>('/callbacks/:carrier', async (request, reply) => {
    const handler = deps.callbacks?.[request.params.carrier];
    if (handler === undefined) {
      return reply
        .code(404)
        .send({ code: 'NOT_FOUND', message: `no callback endpoint for ${request.params.carrier}` });
    }
    const answer = await handler(request.body);
    return reply.code(answer.statusCode).send(answer.body);
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.header('content-type', deps.metrics.registry.contentType).send(body);
  });

  const { demoWebhooks } = deps;
  if (demoWebhooks !== undefined) {
    void app.register(async (scope) => {
      // the raw body, whatever its type: parsing and re-serialising would break the signature
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
        done(null, body);
      });
      scope.post('/demo/webhooks', async (request, reply) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        const answer = await demoWebhooks.receive(request.headers, raw);
        return reply.code(answer.statusCode).send(answer.body);
      });
      scope.get('/demo/webhooks', async () => demoWebhooks.list());
    });
  }

  const { api } = deps;
  if (api !== undefined) {
    void app.register(async (root) => {
      await registerDocs(root, api.version);
      await root.register((scope) => registerApi(scope, api), { prefix: '/api/v1' });
    });
  }

  return app;
}
