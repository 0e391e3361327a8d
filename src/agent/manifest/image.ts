/** Image references as upstream's agent reads them: a reference without a tag or digest means `:latest`. */
import { DeploymentError } from './errors';

// Not Docker's full grammar, but the same lenient shape upstream's agent accepts.
const IMAGE = /^(?<repo>([^/\s]*\/)*)(?<image>[^/:\s]+)(?<tag>:[^/:\s]+)?$/;

export function normalizeImage(image: string, field: string): string {
  const trimmed = image.trim();
  if (!trimmed) throw new DeploymentError('the image is empty', { field, hint: 'set settings.image, e.g. "myregistry.io/sensor:1.0"' });
  if (trimmed.startsWith('$upstream')) {
    throw new DeploymentError(`"${trimmed}" needs a parent device, which a local deployment does not have`, {
      field,
      hint: 'name the registry directly',
    });
  }
  const m = IMAGE.exec(trimmed);
  if (!m?.groups) throw new DeploymentError(`"${trimmed}" is not an image reference`, { field, hint: 'use REGISTRY/NAME:TAG' });
  return m.groups.tag ? trimmed : `${trimmed}:latest`;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The registry host an image is pulled from: the first path part when it looks like a host, else Docker Hub. */
export function registryHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return canonicalHost(first);
  return DOCKER_HUB;
}

/** `https://myreg.azurecr.io/v2/` → `myreg.azurecr.io`; Docker Hub's aliases → `docker.io`. */
export function canonicalHost(address: string): string {
  const host = address
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}
