/**
 * The `api` service: health for the ALB, and the job API in front of the worker.
 * Routes parse with the queue contract's zod schemas (fastify-type-provider-zod), so a bad
 * body is a 400 naming the field before any handler runs.
 */
import rateLimit from '@fastify/rate-limit';
import type { Queue, QueueEvents } from 'bullmq';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CreateJobBody, JobId, type JobKind } from '../../contracts/jobs.js';
import { isRedisUnavailable } from '../../contracts/redis-failures.js';
import { withTimeout } from '../timeout.js';
import { RefusedUrlError, type UrlGuard } from '../url-guard.js';
import { serviceKeys } from '../../contracts/keys.js';
import { createKeyMatcher, type ApiKey } from './auth.js';
import { checkIdempotency, ConflictError, enqueueJob, followJob, getJob, requestBodyHash } from './jobs.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKeyId: string;
    /** Hash of the body as sent, for an Idempotency-Key repeat check. */
    bodyHash: string;
  }
}

export type ApiDeps = {
  redis: Redis;
  queues: Record<JobKind, Queue>;
  queueEvents: Record<JobKind, QueueEvents>;
  guard: UrlGuard;
  apiKeys: ApiKey[];
  rateLimitPerMinute: number;
  logger: Logger;
};

/** Health answers within this, or the ALB marks the target unhealthy anyway. */
const HEALTH_TIMEOUT_MS = 2_000;
const SSE_KEEPALIVE_MS = 15_000;
/** What a client should wait before retrying while Redis is unreachable. */
const RETRY_AFTER_SECONDS = 5;

type ErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'url_refused'
  | 'unavailable'
  | 'internal';
const errorBody = (code: ErrorCode, message: string, fields?: { path: string; message: string }[]) => ({
  error: { code, message, ...(fields ? { fields } : {}) },
});

export async function buildApi(deps: ApiDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  /** Open job-event streams: ended first on shutdown, so close() never waits on them. */
  const streams = new Set<AbortController>();
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
    for (const stream of streams) stream.abort('shutdown');
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const matchKey = createKeyMatcher(deps.apiKeys);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields = err.validation.map((v) => ({
        path: [err.validationContext, ...(v.instancePath ? v.instancePath.slice(1).split('/') : [])].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply
        .code(400)
        .send(
          errorBody(
            'invalid_input',
            `invalid ${err.validationContext}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
            fields,
          ),
        );
    }
    if (err.statusCode === 429) {
      return reply.code(429).send(errorBody('rate_limited', err.message));
    }
    if (err instanceof ConflictError) return reply.code(409).send(errorBody('conflict', err.message));
    if (err instanceof RefusedUrlError) {
      request.log.info(
        { reason: err.message, resolvedAddress: (err as RefusedUrlError).resolvedAddress },
        'url refused',
      );
      return reply
        .code(400)
        .send(
          errorBody('url_refused', `input.url: ${err.message}`, [{ path: 'body.input.url', message: err.message }]),
        );
    }
    if (isRedisUnavailable(err)) {
      // Logged with its cause; the client learns only that it should retry (no Redis text, no addresses).
      request.log.warn({ err: err.message }, 'redis unavailable');
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(errorBody('unavailable', 'the job store is unavailable; retry shortly'));
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('invalid_input', err.message));
    }
    request.log.error({ err: err.message, stack: err.stack }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'internal error'));
  });

  async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const id = matchKey(request.headers.authorization);
    if (!id) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody('unauthorized', 'a valid API key is required (Authorization: Bearer <key>)'));
    }
    request.apiKeyId = id;
  }
  app.decorateRequest('apiKeyId', '');
  app.decorateRequest('bodyHash', '');

  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler', // after authentication: the limit is per API key, not per IP
    redis: deps.redis,
    nameSpace: serviceKeys.rateLimitNamespace,
    // Redis down: let the request through to the handler, which answers 503 (not a 500 from here).
    skipOnError: true,
    keyGenerator: (request) => request.apiKeyId,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `rate limit of ${context.max} jobs per minute exceeded; retry in ${context.after}`,
    }),
  });

  app.get('/api/health/', async (request, reply) => {
    // Reason codes only: health is public, so no Redis error text or resolved addresses.
    if (draining) return reply.code(503).send({ status: 'unavailable', reason: 'shutting_down' });
    try {
      const queues = await withTimeout(
        Promise.all(
          Object.entries(deps.queues).map(
            async ([kind, queue]) => [kind, await queue.getJobCounts('waiting', 'active', 'failed')] as const,
          ),
        ),
        HEALTH_TIMEOUT_MS,
        () => new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`),
      );
      return { status: 'ok', redis: 'ok', queues: Object.fromEntries(queues) };
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'health check failed');
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ status: 'unavailable', reason: 'redis_unavailable' });
    }
  });

  app.post(
    '/api/jobs',
    {
      onRequest: authenticate,
      // A repeat of an answered Idempotency-Key gets the stored answer here, before the rate
      // limit (preHandler) and the URL check run: retrying a success never costs or fails.
      preValidation: async (request, reply) => {
        const key = request.headers['idempotency-key'];
        if (typeof key !== 'string' || key.length === 0 || key.length > 255) return;
        request.bodyHash = requestBodyHash(request.body);
        const decision = await checkIdempotency(deps.redis, request.apiKeyId, key, request.bodyHash);
        if (decision.kind === 'conflict')
          throw new ConflictError('this Idempotency-Key was used with a different body');
        if (decision.kind === 'replay') {
          const { id } = decision.response as { id: string };
          const current = (await getJob(deps.queues, request.apiKeyId, id)) ?? decision.response;
          return reply
            .code(200)
            .header('location', `/api/jobs/${id}`)
            .header('idempotent-replayed', 'true')
            .send({ ...(current as object), links: { self: `/api/jobs/${id}`, events: `/api/jobs/${id}/events` } });
        }
      },
      config: { rateLimit: { max: deps.rateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        body: CreateJobBody,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      },
    },
    async (request, reply) => {
      await deps.guard.checkUrl(request.body.input.url);
      const key = request.headers['idempotency-key'];
      const { job, replayed } = await enqueueJob(
        deps.redis,
        deps.queues,
        request.apiKeyId,
        request.body,
        key ? { key, bodyHash: request.bodyHash } : undefined,
      );
      request.log.info(
        { jobId: job.id, kind: job.kind, replayed, apiKey: request.apiKeyId },
        replayed ? 'job replayed' : 'job created',
      );
      return reply
        .code(replayed ? 200 : 202)
        .header('location', `/api/jobs/${job.id}`)
        .header('idempotent-replayed', String(replayed))
        .send({ ...job, links: { self: `/api/jobs/${job.id}`, events: `/api/jobs/${job.id}/events` } });
    },
  );

  const JobParams = z.object({ id: JobId });

  app.get('/api/jobs/:id', { onRequest: authenticate, schema: { params: JobParams } }, async (request, reply) => {
    const job = await getJob(deps.queues, request.apiKeyId, request.params.id);
    if (!job) return reply.code(404).send(errorBody('not_found', `no job ${request.params.id}`));
    return job;
  });

  app.get(
    '/api/jobs/:id/events',
    { onRequest: authenticate, schema: { params: JobParams } },
    async (request, reply) => {
      if (draining)
        return reply
          .code(503)
          .header('retry-after', String(RETRY_AFTER_SECONDS))
          .send(errorBody('unavailable', 'this server is stopping; reconnect'));
      const exists = await getJob(deps.queues, request.apiKeyId, request.params.id);
      if (!exists) return reply.code(404).send(errorBody('not_found', `no job ${request.params.id}`));
      reply.hijack();
      const res = reply.raw;
      res.on('error', () => {}); // a client gone mid-write ends only this stream
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const closed = new AbortController();
      streams.add(closed);
      request.raw.on('close', () => closed.abort());
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
      const send = (event: string, data: unknown) =>
        void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      try {
        await followJob(deps.queues, deps.queueEvents, request.apiKeyId, request.params.id, send, closed.signal);
        // The server is stopping: tell the client to come back (EventSource reconnects after `retry`).
        if (closed.signal.reason === 'shutdown')
          res.write(`retry: ${RETRY_AFTER_SECONDS * 1000}\nevent: shutdown\ndata: {}\n\n`);
      } catch (err) {
        request.log.warn({ err: (err as Error).message, jobId: request.params.id }, 'job stream failed');
        send('error', { code: 'unavailable', message: 'the job store is unavailable; reconnect shortly' });
      } finally {
        clearInterval(keepalive);
        streams.delete(closed);
        res.end();
      }
    },
  );

  return app;
}
