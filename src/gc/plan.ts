/**
 * What one collection removes, decided from facts gathered beforehand: pure, synchronous, no I/O.
 * An image goes only if edged tracked it, no container uses it, nothing protects it (the edgeAgent
 * image, the desired deployment's images, a pull or create in flight) and its last use is at least
 * the threshold ago. Every other image is kept with the first reason that holds.
 */
import type { ImageInfo } from '../runtime/images';
import { refNamesImage } from './refs';
import type { KeepReason } from '../api/management/wire';
import type { TrackedImage } from './tracker';


export interface CollectionFacts {
  now: number;
  thresholdMs: number;
  /** Every image on the engine. */
  images: ImageInfo[];
  /** Images any container uses, running or stopped, owned or not. */
  usedImageIds: ReadonlySet<string>;
  tracked: TrackedImage[];
  /** config.agent.config.image: the image edged falls back to, never removed. */
  edgeAgentImage?: string;
  /** References the current desired deployment names. */
  desiredImages: string[];
  /** References being pulled or created outside the deployment lock right now. */
  inFlightRefs: string[];
}

export interface Removal {
  image: ImageInfo;
  lastUsed: number;
}

export interface Kept {
  image: ImageInfo;
  reason: KeepReason;
  lastUsed?: number;
}

export interface CollectionPlan {
  remove: Removal[];
  keep: Kept[];
  /** Tracked images containers use: their last use becomes now, so a crash just before a run cannot age them. */
  touch: string[];
  /** Tracked ids that are no longer on the engine. */
  forget: string[];
}

export function planCollection(facts: CollectionFacts): CollectionPlan {
  const tracked = new Map(facts.tracked.map((t) => [t.id, t]));
  const onEngine = new Set(facts.images.map((i) => i.id));
  const plan: CollectionPlan = { remove: [], keep: [], touch: [], forget: [] };

  for (const image of [...facts.images].sort((a, b) => a.id.localeCompare(b.id))) {
    const entry = tracked.get(image.id);
    const reason = keepReason(image, entry, facts);
    if (reason === undefined && entry) plan.remove.push({ image, lastUsed: entry.lastUsed });
    else plan.keep.push({ image, reason: reason ?? 'not-edge-owned', lastUsed: entry?.lastUsed });
    if (entry && facts.usedImageIds.has(image.id)) plan.touch.push(image.id);
  }
  plan.forget = facts.tracked.map((t) => t.id).filter((id) => !onEngine.has(id)).sort();
  return plan;
}

function keepReason(image: ImageInfo, entry: TrackedImage | undefined, facts: CollectionFacts): KeepReason | undefined {
  if (!entry) return 'not-edge-owned';
  if (facts.usedImageIds.has(image.id)) return 'in-use';
  if (facts.edgeAgentImage && refNamesImage(facts.edgeAgentImage, image)) return 'edge-agent';
  if (facts.desiredImages.some((ref) => refNamesImage(ref, image))) return 'desired';
  if (facts.inFlightRefs.some((ref) => refNamesImage(ref, image))) return 'in-flight';
  if (facts.now - entry.lastUsed < facts.thresholdMs) return 'recently-used';
  return undefined;
}
