/**
 * Image jobs: a request is checked whole before anything is written (the device with the
 * appliance's parsers, the base, the grade rules against the base's recorded facts), then the
 * job record and its input go to the store and the job runs in this instance's queue, one at a
 * time (customizing is I/O and xz; two at once only share the same disk). Images holding a
 * secret are deleted when their TTL ends.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';
import { customizeImage } from '../customize';
import { hasSecrets, parseDeviceInput, type SpecContext } from '../device/spec';
import { ImageInputError } from '../errors';
import { NotFoundError } from '../../errors';
import { planWrites } from '../write/plan';
import type { ObjectStore } from '../store/object-store';
import type { BaseRegistry } from './bases';
import type { Liveness } from './instances';
import { ID, keys, type ImageRecord, type Records } from './records';

export interface JobsOptions {
  store: ObjectStore;
  records: Records;
  bases: BaseRegistry;
  clock: Clock;
  logger: Logger;
  spec: SpecContext;
  /** How long an image holding a secret is kept, in seconds. */
  secretTtlSeconds: number;
  /** This instance (its id goes into each job it takes) and which others are gone. */
  instance: { id: string } & Liveness;
}

export const MAX_BATCH = 1000;

export class ImageJobs {
  private queue: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: JobsOptions) {}

  /** Checks every device first: a batch with one bad device writes nothing. */
  async create(baseSha: string, inputs: unknown[], batch?: string): Promise<ImageRecord[]> {
    if (inputs.length === 0) throw new ImageInputError('the batch has no device');
    if (inputs.length > MAX_BATCH) throw new ImageInputError(`a batch holds at most ${MAX_BATCH} devices`);
    const base = await this.o.bases.get(baseSha);
    const names = new Set<string>();
    const specs = inputs.map((input, i) => {
      const where = inputs.length > 1 || batch ? `device ${i + 1}: ` : '';
      try {
        const spec = parseDeviceInput(input, this.o.spec);
        planWrites(base.info, spec);
        if (names.has(spec.name)) throw new ImageInputError(`the name ${spec.name} is given twice`);
        names.add(spec.name);
        return spec;
      } catch (e) {
        if (where && e instanceof Error) e.message = `${where}${e.message}`;
        throw e;
      }
    });
    const now = new Date(this.o.clock.now()).toISOString();
    const records = specs.map((spec): ImageRecord => ({
      id: randomBytes(16).toString('hex'),
      name: spec.name,
      base: base.sha256,
      ...(batch ? { batch } : {}),
      status: 'queued',
      instance: this.o.instance.id,
      progress: 0,
      created: now,
      updated: now,
      secret: hasSecrets(spec),
    }));
    for (let i = 0; i < records.length; i++) {
      await this.o.records.inputs.put(records[i].id, specs[i]);
      await this.o.records.images.put(records[i].id, records[i]);
    }
    for (const r of records) this.enqueue(r);
    return records;
  }

  async get(id: string): Promise<ImageRecord> {
    if (!ID.test(id)) throw new NotFoundError(`no image ${id.slice(0, 40)}`);
    const r = await this.o.records.images.get(id);
    if (!r) throw new NotFoundError(`no image ${id}`, { hint: 'GET /v1/images lists them' });
    return r;
  }

  async list(): Promise<ImageRecord[]> {
    return (await this.o.records.images.list()).map((r) => r.record).sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name));
  }

  async delete(id: string): Promise<void> {
    const r = await this.get(id);
    await this.o.store.delete(keys.image(r.id, r.name));
    await this.o.records.inputs.delete(r.id);
    await this.o.records.images.delete(r.id);
  }

  /** Deletes the images holding secrets whose TTL has ended; their records say `expired`. */
  async expire(): Promise<string[]> {
    const now = this.o.clock.now();
    const gone: string[] = [];
    for (const r of await this.list()) {
      if (r.status !== 'done' || !r.expiresAt || Date.parse(r.expiresAt) > now) continue;
      await this.o.store.delete(keys.image(r.id, r.name));
      await this.update(r, { status: 'expired', sha256: undefined });
      gone.push(r.id);
    }
    return gone;
  }

  /**
   * Fails the queued and running jobs of instances that are gone (killed, crashed, stopped with
   * work queued): their input (it holds the device's secrets) and any partial image are deleted,
   * and the record says why and what to do.
   */
  async settleOrphans(): Promise<string[]> {
    const settled: string[] = [];
    const seen = new Map<string | undefined, Awaited<ReturnType<Liveness['gone']>>>();
    for (const r of await this.list()) {
      if (r.status !== 'queued' && r.status !== 'running') continue;
      if (!seen.has(r.instance)) seen.set(r.instance, await this.o.instance.gone(r.instance));
      const gone = seen.get(r.instance);
      if (!gone) continue;
      await this.o.records.inputs.delete(r.id);
      await this.o.store.delete(keys.image(r.id, r.name));
      await this.o.store.discardPartial?.(keys.image(r.id, r.name));
      const since = gone.lastSeen ? ` (last heartbeat ${gone.lastSeen})` : '';
      const error = `the service instance ${r.instance ?? '(unknown)'} that had this job ${r.status} stopped before it finished${since}; request the image again`;
      await this.update(r, { status: 'failed', error });
      this.o.logger.warn(`image ${r.id} (${r.name}) failed: ${error}`);
      settled.push(r.id);
    }
    return settled;
  }

  /** Resolves when every job queued so far has finished (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private enqueue(record: ImageRecord): void {
    const job = this.queue.then(() => this.run(record));
    this.queue = job;
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }

  private async run(record: ImageRecord): Promise<void> {
    let r = record;
    try {
      const spec = await this.o.records.inputs.get(r.id);
      if (!spec) return; // deleted while queued
      const base = await this.o.bases.get(r.base);
      r = await this.update(r, { status: 'running' });
      let last = 0;
      // Progress writes are chained, so none lands after the final record.
      let progress = Promise.resolve();
      const result = await customizeImage({
        basePath: await this.o.bases.localPath(base),
        chunkCache: this.o.bases.chunkCache(base),
        spec,
        sink: (image) => this.o.store.put(keys.image(r.id, r.name), image, { contentType: 'application/x-xz' }),
        onProgress: (f) => {
          if (f - last < 0.05) return;
          last = f;
          const at = Math.round(f * 100) / 100;
          progress = progress.then(() => this.update(r, { progress: at })).then(() => undefined, () => undefined);
        },
      });
      await progress;
      await this.o.records.inputs.delete(r.id);
      const expiresAt = r.secret ? new Date(this.o.clock.now() + this.o.secretTtlSeconds * 1000).toISOString() : undefined;
      await this.update(r, { status: 'done', progress: 1, sha256: result.sha256, size: result.size, files: result.files, ...(expiresAt ? { expiresAt } : {}) });
      this.o.logger.info(`image ${r.id} (${r.name}) done: ${result.size} bytes`);
    } catch (e) {
      await this.o.records.inputs.delete(r.id).catch(() => undefined);
      await this.o.store.delete(keys.image(r.id, r.name)).catch(() => undefined);
      const message = e instanceof Error ? e.message : String(e);
      this.o.logger.warn(`image ${r.id} (${r.name}) failed: ${message}`);
      await this.update(r, { status: 'failed', error: message }).catch(() => undefined);
    }
  }

  private async update(r: ImageRecord, change: Partial<ImageRecord>): Promise<ImageRecord> {
    // A record deleted meanwhile stays deleted.
    const current = await this.o.records.images.get(r.id);
    if (!current) return r;
    const next = { ...current, ...change, updated: new Date(this.o.clock.now()).toISOString() };
    await this.o.records.images.put(r.id, next);
    return next;
  }
}
