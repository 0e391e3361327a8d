/**
 * ImageStore over dockerode. Removal is never forced: the engine's own conflict check is the
 * last guard that keeps an image a container uses (running or stopped, ours or not).
 */
import type Docker from 'dockerode';
import { ConflictError } from '../../errors';
import type { ImageInfo, ImageStore } from '../images';
import { describeEngine } from './client';
import { statusOf, toEdgeError } from './errors';

const NONE = /^<none>[:@]<none>$/;

export class DockerImageStore implements ImageStore {
  private readonly endpoint: string;

  constructor(private readonly docker: Docker, endpoint?: string) {
    this.endpoint = endpoint ?? describeEngine(docker);
  }

  async list(): Promise<ImageInfo[]> {
    const images = await this.call('list images', () => this.docker.listImages());
    return images.map((i) => ({
      id: i.Id,
      tags: (i.RepoTags ?? []).filter((t) => !NONE.test(t)),
      digests: (i.RepoDigests ?? []).filter((d) => !NONE.test(d)),
      created: new Date(i.Created * 1000),
      size: i.Size,
    }));
  }

  async usedImageIds(): Promise<Set<string>> {
    const containers = await this.call('list containers', () => this.docker.listContainers({ all: true }));
    return new Set(containers.map((c) => c.ImageID).filter((id): id is string => typeof id === 'string' && id !== ''));
  }

  async resolve(ref: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(encodeURIComponent(ref)).inspect()).Id;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw toEdgeError(e, `inspect image ${ref}`, this.endpoint);
    }
  }

  /**
   * An image with several references cannot be deleted by id without force, so its references go
   * one by one: digests, then tags; deleting the last one deletes the image, and that is where the
   * engine refuses when a container uses it. When another image is built on it, the engine only
   * untags it, silently: its answer then lists no `Deleted` entry for the image. Either way the tags
   * removed are put back and the answer is a ConflictError.
   */
  async remove(id: string): Promise<void> {
    const info = await this.call(`inspect image ${id}`, () => this.docker.getImage(encodeURIComponent(id)).inspect());
    const tags = (info.RepoTags ?? []).filter((t) => !NONE.test(t));
    const digests = (info.RepoDigests ?? []).filter((d) => !NONE.test(d));
    const refs = [...digests, ...tags];
    const last = refs.pop() ?? id;
    const untagged: string[] = [];
    let deleted = false;
    try {
      for (const ref of refs) {
        await this.docker.getImage(encodeURIComponent(ref)).remove({ noprune: false });
        if (tags.includes(ref)) untagged.push(ref);
      }
      const answer = (await this.docker.getImage(encodeURIComponent(last)).remove({ noprune: false })) as unknown;
      if (tags.includes(last)) untagged.push(last);
      deleted = Array.isArray(answer) && answer.some((r: { Deleted?: string }) => r?.Deleted === id);
    } catch (e) {
      if (statusOf(e) === 409) await this.retag(id, untagged);
      throw toEdgeError(e, `remove image ${id}`, this.endpoint);
    }
    if (!deleted) {
      await this.retag(id, untagged);
      throw new ConflictError(`Could not remove image ${id}: the engine keeps it (another image is built on it)`);
    }
  }

  private async retag(id: string, tags: string[]): Promise<void> {
    for (const t of tags) {
      const { repo, tag } = splitTag(t);
      await this.docker
        .getImage(encodeURIComponent(id))
        .tag({ repo, tag })
        .catch(() => undefined);
    }
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toEdgeError(e, action, this.endpoint);
    }
  }
}

/** "localhost:5000/app:1" -> { repo: "localhost:5000/app", tag: "1" }. */
export function splitTag(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}
