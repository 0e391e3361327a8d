/**
 * Image references in the engine's familiar form, so that a deployment's "docker.io/library/busybox"
 * and the engine's "busybox:latest" name the same image.
 */
import type { ImageInfo } from '../runtime/images';

const ID = /^sha256:[0-9a-f]{64}$/;

export function isImageId(ref: string): boolean {
  return ID.test(ref);
}

/** "docker.io/library/busybox" -> "busybox:latest"; "reg:5000/a/b@sha256:..." stays a digest reference. */
export function normalizeRef(ref: string): string {
  const trimmed = ref.trim();
  if (isImageId(trimmed)) return trimmed;
  const at = trimmed.indexOf('@');
  let name = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const digest = at >= 0 ? trimmed.slice(at) : '';
  let tag = '';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain && (first === 'docker.io' || first === 'index.docker.io')) name = name.slice(slash + 1);
  if (!hasDomain || first === 'docker.io' || first === 'index.docker.io') {
    if (name.startsWith('library/') && name.split('/').length === 2) name = name.slice('library/'.length);
  }
  name = name.toLowerCase();
  if (digest) return `${name}${tag}${digest}`.replace(/:[^:@/]+@/, '@');
  return `${name}${tag || ':latest'}`;
}

/** Whether `ref` (tag, digest reference or id) names this image. */
export function refNamesImage(ref: string, image: Pick<ImageInfo, 'id' | 'tags' | 'digests'>): boolean {
  const r = normalizeRef(ref);
  if (isImageId(r)) return r === image.id;
  if (r.includes('@')) return image.digests.some((d) => normalizeRef(d) === r);
  return image.tags.some((t) => normalizeRef(t) === r);
}
