import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../../../src/util/clock';
import { InstanceLease } from '../../../../src/images/service/instances';
import { records } from '../../../../src/images/service/records';
import { LocalDirectoryStore } from '../../../../src/images/store/local-store';

let dir: string;
beforeEach(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'instances-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('InstanceLease', () => {
  it('counts another instance alive while its heartbeat is inside the lease, gone after, and never itself', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 3, 12));
    const recs = records(new LocalDirectoryStore({ root: dir }));
    const a = new InstanceLease(recs.instances, clock, 60);
    const b = new InstanceLease(recs.instances, clock, 60);
    await a.beat();
    await b.beat();
    expect(await b.gone(a.id)).toBeUndefined();
    await clock.advance(61_000);
    await b.beat();
    expect(await b.gone(a.id)).toEqual({ lastSeen: '2026-12-03T12:00:00.000Z' });
    expect(await b.gone(b.id)).toBeUndefined();
    expect(await b.gone('0123456789abcdef')).toEqual({});
    expect(await b.gone(undefined)).toEqual({});
  });

  it('counts its predecessor on the data directory gone at once, and prunes records gone for ten leases', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 3, 12));
    const recs = records(new LocalDirectoryStore({ root: dir }));
    const old = new InstanceLease(recs.instances, clock, 60);
    await old.beat();
    const next = new InstanceLease(recs.instances, clock, 60, [old.id]);
    await next.beat();
    expect(await next.gone(old.id)).toEqual({ lastSeen: '2026-12-03T12:00:00.000Z' });
    await clock.advance(601_000);
    await next.beat();
    await next.prune();
    expect((await recs.instances.ids()).sort()).toEqual([next.id]);
  });
});
