import { planCollection, type CollectionFacts } from '../../../src/gc/plan';
import { normalizeRef, refNamesImage } from '../../../src/gc/refs';
import type { ImageInfo } from '../../../src/runtime/images';

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2026, 5, 1);
const id = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const image = (n: number, tags: string[] = [], size = 1000): ImageInfo => ({
  id: id(n),
  tags,
  digests: [],
  created: new Date(NOW - 30 * DAY),
  size,
});

function facts(over: Partial<CollectionFacts>): CollectionFacts {
  return {
    now: NOW,
    thresholdMs: 7 * DAY,
    images: [],
    usedImageIds: new Set(),
    tracked: [],
    desiredImages: [],
    inFlightRefs: [],
    ...over,
  };
}

describe('planCollection', () => {
  it('removes a tracked image unused for at least the threshold, and keeps everything else with a reason', () => {
    const plan = planCollection(
      facts({
        images: [
          image(1, ['old:1']),
          image(2, ['recent:1']),
          image(3, ['foreign:1']),
          image(4, ['used:1']),
          image(5, ['agent:1']),
          image(6, ['desired:1']),
          image(7, ['pulling:1']),
          image(8, ['exact:1']),
        ],
        usedImageIds: new Set([id(4), id(3)]),
        tracked: [
          { id: id(1), refs: ['old:1'], lastUsed: NOW - 8 * DAY },
          { id: id(2), refs: ['recent:1'], lastUsed: NOW - 6 * DAY },
          { id: id(4), refs: ['used:1'], lastUsed: NOW - 30 * DAY },
          { id: id(5), refs: ['agent:1'], lastUsed: NOW - 30 * DAY },
          { id: id(6), refs: ['desired:1'], lastUsed: NOW - 30 * DAY },
          { id: id(7), refs: ['pulling:1'], lastUsed: NOW - 30 * DAY },
          { id: id(8), refs: ['exact:1'], lastUsed: NOW - 7 * DAY },
          { id: id(9), refs: ['deleted-by-hand:1'], lastUsed: NOW - 30 * DAY },
        ],
        edgeAgentImage: 'docker.io/library/agent:1',
        desiredImages: ['desired:1'],
        inFlightRefs: ['pulling:1'],
      }),
    );
    expect(plan.remove.map((r) => r.image.tags[0])).toEqual(['old:1', 'exact:1']);
    expect(plan.keep.map((k) => [k.image.tags[0], k.reason])).toEqual([
      ['recent:1', 'recently-used'],
      ['foreign:1', 'not-edge-owned'],
      ['used:1', 'in-use'],
      ['agent:1', 'edge-agent'],
      ['desired:1', 'desired'],
      ['pulling:1', 'in-flight'],
    ]);
    expect(plan.touch).toEqual([id(4)]);
    expect(plan.forget).toEqual([id(9)]);
  });

  it('never removes an image a stopped or foreign container uses, even when tracked and old', () => {
    const plan = planCollection(
      facts({
        images: [image(1, ['a:1'])],
        usedImageIds: new Set([id(1)]),
        tracked: [{ id: id(1), refs: ['a:1'], lastUsed: 0 }],
        thresholdMs: 0,
      }),
    );
    expect(plan.remove).toEqual([]);
    expect(plan.keep[0].reason).toBe('in-use');
  });

  it('collects a dangling tracked image (a tag re-pulled to a newer image)', () => {
    const plan = planCollection(
      facts({
        images: [image(1, []), image(2, ['app:1'])],
        tracked: [
          { id: id(1), refs: ['app:1'], lastUsed: NOW - 10 * DAY },
          { id: id(2), refs: ['app:1'], lastUsed: NOW - 10 * DAY },
        ],
        desiredImages: ['app:1'],
      }),
    );
    expect(plan.remove.map((r) => r.image.id)).toEqual([id(1)]);
    expect(plan.keep.map((k) => k.reason)).toEqual(['desired']);
  });

  it('plans nothing on an engine with only foreign images', () => {
    const plan = planCollection(facts({ images: [image(1, ['x:1']), image(2)], thresholdMs: 0 }));
    expect(plan.remove).toEqual([]);
    expect(plan.keep.every((k) => k.reason === 'not-edge-owned')).toBe(true);
  });
});

describe('image references', () => {
  it('normalizes to the engine familiar form', () => {
    expect(normalizeRef('busybox')).toBe('busybox:latest');
    expect(normalizeRef('docker.io/library/busybox:1')).toBe('busybox:1');
    expect(normalizeRef('index.docker.io/foo/bar')).toBe('foo/bar:latest');
    expect(normalizeRef('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(normalizeRef('mcr.microsoft.com/azureiotedge-agent:1.5')).toBe('mcr.microsoft.com/azureiotedge-agent:1.5');
    expect(normalizeRef(`app:1@sha256:${'a'.repeat(64)}`)).toBe(`app@sha256:${'a'.repeat(64)}`);
    expect(normalizeRef(id(3))).toBe(id(3));
  });

  it('matches tags, digests and ids', () => {
    const img = { id: id(1), tags: ['busybox:latest'], digests: [`busybox@sha256:${'b'.repeat(64)}`] };
    expect(refNamesImage('docker.io/library/busybox', img)).toBe(true);
    expect(refNamesImage(`busybox@sha256:${'b'.repeat(64)}`, img)).toBe(true);
    expect(refNamesImage(id(1), img)).toBe(true);
    expect(refNamesImage('busybox:1', img)).toBe(false);
  });
});
