/** The plugs the snap's dockerd cannot run without; network and network-bind auto-connect. */
export const DOCKERD_PLUGS = ['docker-support', 'firewall-control', 'network-control', 'network', 'network-bind'] as const;
export type DockerdPlug = (typeof DOCKERD_PLUGS)[number];

export function isDockerdPlug(name: string): name is DockerdPlug {
  return (DOCKERD_PLUGS as readonly string[]).includes(name);
}
