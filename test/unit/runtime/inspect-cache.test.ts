import { InspectCache, InspectSnapshot, ListedContainer, snapshotOf } from '../../../src/runtime/docker/inspect-cache';
import type { ContainerInspectInfo } from 'dockerode';

const listed = (id: string, status = 'Up 5 minutes', state = 'running', names = [`/${id}`]): ListedContainer => ({
  Id: id,
  Names: names,
  State: state,
  Status: status,
});

const NOW = Date.parse('2026-02-01T00:00:00Z');
let now = NOW;
beforeEach(() => (now = NOW));
const newCache = (settleMs = 5000) => new InspectCache(settleMs, () => now);
/** Started 5.5 minutes before NOW: "Up 5 minutes" in Docker's list. */
const STARTED = new Date(NOW - 330_000).toISOString();

const info = (id: string, startedAt = STARTED): InspectSnapshot => ({
  Id: id,
  Name: `/${id}`,
  Image: 'sha256:abc',
  State: { Status: 'running', ExitCode: 0, StartedAt: startedAt } as InspectSnapshot['State'],
  Config: { Labels: {}, Env: [], Image: 'img' },
});

function liveCacheWith(c: ListedContainer, snapshot = info(c.Id)): InspectCache {
  const cache = newCache();
  cache.setLive(true);
  cache.store(cache.begin(c), snapshot);
  return cache;
}

describe('InspectCache', () => {
  it('serves a stored inspect while the listed State, Status and names are unchanged', () => {
    const cache = liveCacheWith(listed('a'));
    expect(cache.lookup(listed('a'))).toEqual(info('a'));
  });

  it('serves nothing while the event stream is not connected, and forgets everything when it is lost', () => {
    const off = newCache();
    off.store(off.begin(listed('a')), info('a'));
    expect(off.lookup(listed('a'))).toBeUndefined();

    const cache = liveCacheWith(listed('a'));
    cache.setLive(false);
    expect(cache.lookup(listed('a'))).toBeUndefined();
    cache.setLive(true);
    expect(cache.lookup(listed('a'))).toBeUndefined();
  });

  it.each([
    ['Status', listed('a', 'Up Less than a second')],
    ['State', listed('a', 'Up 5 minutes', 'paused')],
    ['exit code in Status', listed('a', 'Exited (137) 5 minutes ago', 'exited')],
    ['names (renamed)', listed('a', 'Up 5 minutes', 'running', ['/b'])],
    ['network endpoint (restarted)', { ...listed('a'), NetworkSettings: { Networks: { n: { EndpointID: 'new' } } } }],
  ])('misses when the list shows another %s', (_what, now) => {
    const cache = liveCacheWith(listed('a'));
    expect(cache.lookup(now)).toBeUndefined();
  });

  it('keeps serving while only the duration in the status ticks on, as long as it fits the cached times', () => {
    const cache = liveCacheWith(listed('a'));
    now = NOW + 60_000;
    expect(cache.lookup(listed('a', 'Up 6 minutes'))).toEqual(info('a'));
    // Restarted behind our back, its event not yet seen: the listed duration no longer fits the start time.
    expect(cache.lookup(listed('a', 'Up Less than a second'))).toBeUndefined();
    expect(cache.lookup(listed('a', 'Up 2 seconds'))).toBeUndefined();
  });

  it('checks an exited container\'s listed duration against its finish time, and its exit code', () => {
    const finished = { ...info('a'), State: { ...info('a').State, Status: 'exited', ExitCode: 1, FinishedAt: new Date(NOW - 7200_000).toISOString() } } as InspectSnapshot;
    const exited = (status: string) => listed('a', status, 'exited');
    const cache = liveCacheWith(exited('Exited (1) 2 hours ago'), finished);
    expect(cache.lookup(exited('Exited (1) 2 hours ago'))).toBe(finished);
    // Started and died again behind our back.
    expect(cache.lookup(exited('Exited (1) Less than a second ago'))).toBeUndefined();
    expect(cache.lookup(exited('Exited (2) 2 hours ago'))).toBeUndefined();
  });

  it('misses after any event for the container; other containers keep their entries', () => {
    const cache = liveCacheWith(listed('a'));
    cache.store(cache.begin(listed('b')), info('b'));
    cache.evict('a');
    expect(cache.lookup(listed('a'))).toBeUndefined();
    expect(cache.lookup(listed('b'))).toEqual(info('b'));
  });

  it('drops an inspect result when an event for that container arrived while it was in flight', () => {
    const cache = newCache();
    cache.setLive(true);
    const ta = cache.begin(listed('a'));
    const tb = cache.begin(listed('b'));
    cache.evict('a'); // e.g. "die" between the inspect request and its answer
    cache.store(ta, info('a'));
    cache.store(tb, info('b'));
    expect(cache.lookup(listed('a'))).toBeUndefined();
    expect(cache.lookup(listed('b'))).toEqual(info('b'));
    // The next inspect, begun after the event, is kept.
    const later = new Date(NOW - 320_000).toISOString();
    cache.store(cache.begin(listed('a')), info('a', later));
    expect(cache.lookup(listed('a'))?.State.StartedAt).toBe(later);
  });

  it('drops inspect results begun before the stream was (re)connected or lost', () => {
    const cache = newCache();
    const early = cache.begin(listed('a'));
    cache.setLive(true);
    cache.store(early, info('a'));
    expect(cache.lookup(listed('a'))).toBeUndefined();

    const during = cache.begin(listed('a'));
    cache.setLive(false);
    cache.setLive(true);
    cache.store(during, info('a'));
    expect(cache.lookup(listed('a'))).toBeUndefined();
  });

  it('an abandoned inspect (404) does not keep events of other inspects from counting', () => {
    const cache = newCache();
    cache.setLive(true);
    const gone = cache.begin(listed('gone'));
    const ta = cache.begin(listed('a'));
    cache.abandon(); // gone: 404
    void gone;
    cache.evict('a');
    cache.store(ta, info('a'));
    expect(cache.lookup(listed('a'))).toBeUndefined();
  });

  it('does not keep the inspect of a container that started or stopped within the settle time', () => {
    const young = newCache(5000);
    young.setLive(true);
    young.store(young.begin(listed('a')), info('a', new Date(NOW - 4000).toISOString()));
    expect(young.lookup(listed('a'))).toBeUndefined();
    const stopped = { ...info('a'), State: { ...info('a').State, FinishedAt: new Date(NOW - 1000).toISOString() } };
    young.store(young.begin(listed('a')), stopped);
    expect(young.lookup(listed('a'))).toBeUndefined();
    young.store(young.begin(listed('a', 'Up 6 seconds')), info('a', new Date(NOW - 6000).toISOString()));
    expect(young.lookup(listed('a', 'Up 6 seconds'))).toBeDefined();
    // Docker's nanoseconds and zero time are understood.
    const exited = {
      ...info('b'),
      State: { ...info('b').State, StartedAt: '2026-01-31T23:58:00.123456789Z', FinishedAt: '2026-01-31T23:59:00.123456789Z' },
    };
    young.store(young.begin(listed('b', 'Exited (0) About a minute ago', 'exited')), exited);
    expect(young.lookup(listed('b', 'Exited (0) About a minute ago', 'exited'))).toBe(exited);
    const created = { ...info('c'), State: { ...info('c').State, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' } };
    young.store(young.begin(listed('c', 'Created', 'created')), created);
    expect(young.lookup(listed('c', 'Created', 'created'))).toBe(created);
  });

  it('keeps only containers still listed', () => {
    const cache = liveCacheWith(listed('a'));
    cache.store(cache.begin(listed('b')), info('b'));
    cache.retainOnly(['b']);
    expect(cache.size).toBe(1);
    expect(cache.lookup(listed('b'))).toBeDefined();
  });

  it('keeps only what a Module is made of', () => {
    const full = {
      ...info('a'),
      Config: { Labels: { l: 'v' }, Env: ['A=1'], Image: 'img', Cmd: ['x'] },
      HostConfig: { Binds: [] },
      NetworkSettings: {},
    } as unknown as ContainerInspectInfo;
    expect(Object.keys(snapshotOf(full)).sort()).toEqual(['Config', 'Id', 'Image', 'Name', 'State']);
    expect(snapshotOf(full).Config).toEqual({ Labels: { l: 'v' }, Env: ['A=1'], Image: 'img' });
  });
});
