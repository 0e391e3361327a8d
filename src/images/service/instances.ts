/**
 * Which service instances are alive, so a job whose instance died does not stay `running`: each
 * instance writes `instances/<id>.json` with a heartbeat every third of its lease; an instance
 * with no record, or none fresher than the lease, is gone. The instance that last ran on the same
 * data directory is gone at once (one instance per data directory), so a restart settles its
 * predecessor's jobs before it serves.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../util/clock';
import type { JsonRecords } from '../store/json-records';

export interface InstanceRecord {
  id: string;
  started: string;
  heartbeat: string;
}

export interface Liveness {
  /** undefined while alive; else when it was last seen (undefined inside if never). */
  gone(id: string | undefined): Promise<{ lastSeen?: string } | undefined>;
}

export class InstanceLease implements Liveness {
  readonly id = randomBytes(8).toString('hex');
  private readonly started: string;

  constructor(
    private readonly records: JsonRecords<InstanceRecord>,
    private readonly clock: Clock,
    readonly leaseSeconds: number,
    /** Instances known dead: the one that ran before on this data directory. */
    private readonly predecessors: string[] = [],
  ) {
    this.started = new Date(clock.now()).toISOString();
  }

  async beat(): Promise<void> {
    await this.records.put(this.id, { id: this.id, started: this.started, heartbeat: new Date(this.clock.now()).toISOString() });
  }

  async gone(id: string | undefined): Promise<{ lastSeen?: string } | undefined> {
    if (id === this.id) return undefined;
    const r = id ? await this.records.get(id) : undefined;
    if (id && this.predecessors.includes(id)) return { lastSeen: r?.heartbeat };
    if (!r) return {};
    return Date.parse(r.heartbeat) + this.leaseSeconds * 1000 < this.clock.now() ? { lastSeen: r.heartbeat } : undefined;
  }

  /** Forgets the records of instances gone for ten leases (they hold no job). */
  async prune(): Promise<void> {
    for (const { id, record } of await this.records.list()) {
      if (id !== this.id && Date.parse(record.heartbeat) + 10 * this.leaseSeconds * 1000 < this.clock.now()) await this.records.delete(id);
    }
  }
}
