/**
 * The REST API (fastify, its OpenAPI document at /openapi.json). Every route but the document
 * and the signed download needs the bearer token; every refusal is `{error, hint}` with one
 * line; request bodies and headers are never logged (they hold device secrets).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { isEdgeError } from '../../errors';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';
import { ImageInputError } from '../errors';
import type { ObjectStore } from '../store/object-store';
import type { BaseRegistry } from './bases';
import { parseBatchCsv } from './batch-csv';
import type { ImageJobs } from './jobs';
import { keys, type BaseRecord, type ImageRecord } from './records';
import type { UrlSigner } from './signing';

export interface AppParts {
  store: ObjectStore;
  bases: BaseRegistry;
  jobs: ImageJobs;
  signer: UrlSigner;
  token: string;
  clock: Clock;
  logger: Logger;
  /** How long a download URL is good for. */
  downloadTtlSeconds: number;
  /** The service's address as clients reach it, for download URLs; default: from the request's Host. */
  publicUrl?: string;
  /** The largest base accepted. */
  maxBaseBytes?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No bearer token needed (the OpenAPI document, signed downloads, the web page). */
    public?: boolean;
  }
}

const JSON_LIMIT = 1024 * 1024;
const BATCH_LIMIT = 16 * 1024 * 1024;
const tags = ['images'];

export async function buildImageApp(parts: AppParts): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: JSON_LIMIT, return503OnClosing: true });
  await app.register(swagger, {
    openapi: {
      info: { title: 'azure-iot-edge image service', version: '1', description: 'Per-device Ubuntu Core and classic images for azure-iot-edge (docs/images.md).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.addContentTypeParser('application/octet-stream', { bodyLimit: parts.maxBaseBytes ?? 64 * 1024 ** 3 }, (_req, payload, done) => done(null, payload));
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: BATCH_LIMIT }, (_req, body, done) => done(null, body));

  const wanted = Buffer.from(`Bearer ${parts.token}`);
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config?.public) return;
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length !== wanted.length || !timingSafeEqual(got, wanted)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid bearer token is required', hint: 'send Authorization: Bearer <token> (the service\'s --token-file)' });
    }
  });

  app.setErrorHandler(async (e: unknown, _req, reply) => {
    if (isEdgeError(e)) return reply.code(e.httpStatus).send({ error: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    const f = e as { statusCode?: number; message?: string; code?: string };
    if (f.statusCode && f.statusCode < 500) return reply.code(f.statusCode).send({ error: oneLine(f.message ?? 'bad request') });
    parts.logger.error(`image service: ${oneLine(f.message ?? String(e))}`);
    return reply.code(500).send({ error: 'internal error of the image service', hint: 'see its log' });
  });
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ error: 'no such route', hint: 'GET /openapi.json lists them' }));

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  app.post<{ Querystring: { name: string } }>(
    '/v1/bases',
    {
      schema: {
        tags,
        summary: 'register a base image (.img or .img.xz) sent as the body; identified by its sha256',
        querystring: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 128 } } },
        consumes: ['application/octet-stream'],
      },
    },
    async (req, reply) => {
      if (!isStream(req.body)) throw new ImageInputError('send the base image as the body, Content-Type: application/octet-stream');
      const { record, created } = await parts.bases.register(req.query.name, req.body);
      return reply.code(created ? 201 : 200).send(baseView(record));
    },
  );

  app.get('/v1/bases', { schema: { tags, summary: 'the registered bases' } }, async () => ({ bases: (await parts.bases.list()).map(baseView) }));

  app.post<{ Body: { base?: unknown; device?: unknown } }>(
    '/v1/images',
    {
      schema: {
        tags,
        summary: "one device's image: 202 {id}, then GET /v1/images/{id}",
        body: { type: 'object', required: ['base', 'device'], properties: { base: { type: 'string' }, device: { type: 'object' } } },
      },
    },
    async (req, reply) => {
      const [record] = await parts.jobs.create(String(req.body.base), [req.body.device]);
      return reply.code(202).send({ id: record.id });
    },
  );

  app.post<{ Body: unknown; Querystring: { base?: string } }>(
    '/v1/batches',
    {
      bodyLimit: BATCH_LIMIT,
      schema: {
        tags,
        summary: 'one image per device: JSON {base, devices: [...]}, or text/csv with ?base=SHA256',
        querystring: { type: 'object', properties: { base: { type: 'string' } } },
        consumes: ['application/json', 'text/csv'],
      },
    },
    async (req, reply) => {
      let base: unknown;
      let devices: unknown;
      if (typeof req.body === 'string') {
        base = req.query.base;
        devices = parseBatchCsv(req.body);
      } else {
        const body = (req.body ?? {}) as { base?: unknown; devices?: unknown };
        base = body.base;
        devices = body.devices;
      }
      if (typeof base !== 'string') throw new ImageInputError('base (the sha256 of a registered base) is required');
      if (!Array.isArray(devices)) throw new ImageInputError('devices must be a list');
      const batch = randomId();
      const records = await parts.jobs.create(base, devices, batch);
      return reply.code(202).send({ batch, images: records.map((r) => r.id) });
    },
  );

  app.get('/v1/images', { schema: { tags, summary: 'every image job' } }, async (req) => ({ images: await Promise.all((await parts.jobs.list()).map((r) => imageView(r, req))) }));

  app.get<{ Params: { id: string } }>('/v1/images/:id', { schema: { tags, summary: 'status, progress, sha256, size and a time-limited download URL' } }, async (req) =>
    imageView(await parts.jobs.get(req.params.id), req),
  );

  app.delete<{ Params: { id: string } }>('/v1/images/:id', { schema: { tags, summary: 'delete the image and its record' } }, async (req, reply) => {
    await parts.jobs.delete(req.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string }; Querystring: { expires?: string; sig?: string } }>(
    '/v1/images/:id/download',
    { config: { public: true }, schema: { tags, summary: 'the image (.img.xz), with the signature of a download URL', security: [] } },
    async (req, reply) => {
      const verdict = parts.signer.verify(req.params.id, req.query.expires ?? '', req.query.sig ?? '', parts.clock.now());
      if (verdict !== 'ok') return reply.code(403).send({ error: verdict === 'expired' ? 'this download URL has expired' : 'this download URL is not signed by the service', hint: 'GET /v1/images/{id} gives a fresh one' });
      const r = await parts.jobs.get(req.params.id);
      if (r.status !== 'done') return reply.code(409).send({ error: `the image is ${r.status}, not ready` });
      const body = await parts.store.get(keys.image(r.id, r.name));
      return reply
        .header('content-type', 'application/x-xz')
        .header('content-disposition', `attachment; filename="${r.name}.img.xz"`)
        .header('content-length', String(r.size))
        .send(body);
    },
  );

  async function imageView(r: ImageRecord, req: FastifyRequest) {
    const view: Record<string, unknown> = { ...r };
    delete view.secret;
    if (r.status === 'done') {
      const expires = Math.floor(parts.clock.now() / 1000) + parts.downloadTtlSeconds;
      const presigned = await parts.store.presignedGet(keys.image(r.id, r.name), parts.downloadTtlSeconds);
      const origin = parts.publicUrl ?? `${req.protocol}://${req.host}`;
      view.download = { url: presigned ?? `${origin}/v1/images/${r.id}/download?expires=${expires}&sig=${parts.signer.sign(r.id, expires)}`, expiresAt: new Date(expires * 1000).toISOString() };
    }
    return view;
  }

  return app;
}

function baseView(r: BaseRecord) {
  const { info } = r;
  return {
    sha256: r.sha256,
    name: r.name,
    size: r.size,
    created: r.created,
    table: info.table,
    kind: info.kind,
    partition: info.partition.index,
    ...(info.kind === 'core' ? { model: info.model.model, grade: info.model.grade } : {}),
  };
}

function isStream(v: unknown): v is Readable {
  return typeof (v as Readable | undefined)?.pipe === 'function';
}

function oneLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}

function randomId(): string {
  return randomBytes(16).toString('hex');
}
