/**
 * The image service's composition: the store, the base registry, the job queue, the URL
 * signer and the HTTP app, built in one place from what the entry point (or a test) gives.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';
import type { ObjectStore } from '../store/object-store';
import { buildImageApp } from './app';
import { BaseRegistry } from './bases';
import { InstanceLease } from './instances';
import { ImageJobs } from './jobs';
import { UrlSigner } from './signing';
import { registerWebPage, WEB_DIR } from './web';
import { records } from './records';

export interface ImageServiceOptions {
  store: ObjectStore;
  /** This instance's cache of raw bases (random access needs a local file). */
  cacheDir: string;
  token: string;
  clock: Clock;
  logger: Logger;
  dpsGroupKey?: Buffer;
  /** Images holding secrets are deleted this long after they are made (default 24 h). */
  secretTtlSeconds?: number;
  /** Download URLs are good this long (default 15 min). */
  downloadTtlSeconds?: number;
  publicUrl?: string;
  /** An instance with no heartbeat for this long is gone and its jobs fail (default 60 s). */
  leaseSeconds?: number;
  /** The instance that last ran on this data directory: gone at once. */
  predecessor?: string;
  /** The web page's files (default: src/images/web); false: no page. */
  webDir?: string | false;
}

export interface ImageService {
  app: FastifyInstance;
  jobs: ImageJobs;
  bases: BaseRegistry;
  instance: InstanceLease;
}

export async function createImageService(o: ImageServiceOptions): Promise<ImageService> {
  const recs = records(o.store);
  const bases = new BaseRegistry(o.store, recs, o.cacheDir, o.clock);
  const instance = new InstanceLease(recs.instances, o.clock, o.leaseSeconds ?? 60, o.predecessor ? [o.predecessor] : []);
  await instance.beat();
  const jobs = new ImageJobs({ store: o.store, records: recs, bases, clock: o.clock, logger: o.logger, spec: { dpsGroupKey: o.dpsGroupKey }, secretTtlSeconds: o.secretTtlSeconds ?? 24 * 3600, instance });
  const app = await buildImageApp({
    store: o.store,
    bases,
    jobs,
    signer: new UrlSigner(o.token),
    token: o.token,
    clock: o.clock,
    logger: o.logger,
    downloadTtlSeconds: o.downloadTtlSeconds ?? 15 * 60,
    publicUrl: o.publicUrl,
  });
  if (o.webDir !== false) await registerWebPage(app, o.webDir ?? WEB_DIR);
  return { app, jobs, bases, instance };
}
