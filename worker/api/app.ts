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
import { CreateJobBody, JobId, type JobKind } from '../contract.js';
import { RefusedUrlError, type UrlGuard } from '../url-guard.js';
import { createKeyMatcher, type ApiKey } from './auth.js';
import { ConflictError, enqueueJob, followJob, getJob } from './jobs.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKeyId: string;
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

type ErrorCode = 'invalid_input' | 'unauthorized' | 'not_found' | 'conflict' | 'rate_limited' | 'url_refused' | 'internal';
const errorBody = (code: ErrorCode, message: string, fields?: { path: string; message: string }[]) => ({
  error: { code, message, ...(fields ? { fields } : {}) },
});

export async function buildApi(deps: ApiDeps) {
  const app = Fastify({ loggerInstance: deps.logger, routerOptions: { ignoreTrailingSlash: true } }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const matchKey = createKeyMatcher(deps.apiKeys);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields = err.validation.map((v) => ({
        path: [err.validationContext, ...(v.instancePath ? v.instancePath.slice(1).split('/') : [])].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send(errorBody('invalid_input', `invalid ${err.validationContext}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, fields));
    }
    if (err.statusCode === 429) {
      return reply.code(429).send(errorBody('rate_limited', err.message));
    }
    if (err instanceof ConflictError) return reply.code(409).send(errorBody('conflict', err.message));
    if (err instanceof RefusedUrlError) return reply.code(400).send(errorBody('url_refused', `input.url: ${err.message}`, [{ path: 'body.input.url', message: err.message }]));
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('invalid_input', err.message));
    }
    request.log.error({ err: err.message, stack: err.stack }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'internal error'));
  });

  async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const id = matchKey(request.headers.authorization);
    if (!id) {
      return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('unauthorized', 'a valid API key is required (Authorization: Bearer <key>)'));
    }
    request.apiKeyId = id;
  }
  app.decorateRequest('apiKeyId', '');

  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler', // after authentication: the limit is per API key, not per IP
    redis: deps.redis,
    nameSpace: 'ph:rate:',
    keyGenerator: (request) => request.apiKeyId,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `rate limit of ${context.max} jobs per minute exceeded; retry in ${context.after}`,
    }),
  });

  app.get('/api/health/', async (_request, reply) => {
    try {
      const queues = await withTimeout(
        Promise.all(
          Object.entries(deps.queues).map(async ([kind, queue]) => [kind, await queue.getJobCounts('waiting', 'active', 'failed')] as const),
        ),
        HEALTH_TIMEOUT_MS,
      );
      return { status: 'ok', redis: 'ok', queues: Object.fromEntries(queues) };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', reason: `redis or queue not answering: ${(err as Error).message}` });
    }
  });

  app.post(
    '/api/jobs',
    {
      onRequest: authenticate,
      config: { rateLimit: { max: deps.rateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        body: CreateJobBody,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      },
    },
    async (request, reply) => {
      await deps.guard.checkUrl(request.body.input.url);
      const { job, replayed } = await enqueueJob(deps.redis, deps.queues, request.apiKeyId, request.body, request.headers['idempotency-key']);
      request.log.info({ jobId: job.id, kind: job.kind, replayed, apiKey: request.apiKeyId }, replayed ? 'job replayed' : 'job created');
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

  app.get('/api/jobs/:id/events', { onRequest: authenticate, schema: { params: JobParams } }, async (request, reply) => {
    const exists = await getJob(deps.queues, request.apiKeyId, request.params.id);
    if (!exists) return reply.code(404).send(errorBody('not_found', `no job ${request.params.id}`));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const closed = new AbortController();
    request.raw.on('close', () => closed.abort());
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    try {
      await followJob(deps.queues, deps.queueEvents, request.apiKeyId, request.params.id, (event, data) => {
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      }, closed.signal);
    } finally {
      clearInterval(keepalive);
      res.end();
    }
  });

  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}
