/**
 * Which management socket the CLI talks to: `-H/--host`, else IOTEDGE_HOST, else the snap's
 * socket when running inside the snap, else upstream's default.
 */

export const UPSTREAM_MGMT_URI = 'unix:///var/run/iotedge/mgmt.sock';

export function defaultHost(env: NodeJS.ProcessEnv): string {
  if (env.IOTEDGE_HOST) return env.IOTEDGE_HOST;
  if (env.SNAP_COMMON) return `unix://${env.SNAP_COMMON}/run/iotedge/mgmt.sock`;
  return UPSTREAM_MGMT_URI;
}
