/**
 * The engine's images, as the image garbage collector sees them. Implemented once for Docker
 * (`docker/images.ts`); the collector and its tests depend on this interface only.
 */
export interface ImageInfo {
  /** "sha256:...". */
  id: string;
  /** Familiar references ("busybox:latest", "myreg.io/app:1"); empty for a dangling image. */
  tags: string[];
  /** "name@sha256:..." references, for images that were pulled. */
  digests: string[];
  created: Date;
  /** Bytes, as the engine reports the image (layers shared with other images included). */
  size: number;
}

export interface ImageStore {
  list(): Promise<ImageInfo[]>;
  /** Ids of the images that containers use: every container, owned or not, running or stopped. */
  usedImageIds(): Promise<Set<string>>;
  /** The id of the image a reference (tag, digest reference or id) names, or undefined if absent. */
  resolve(ref: string): Promise<string | undefined>;
  /**
   * Removes the image and all its tags, never by force: a ConflictError when a container uses it
   * (its tags are then as they were), a NotFoundError when it is already gone.
   */
  remove(id: string): Promise<void>;
}
