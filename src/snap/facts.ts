/** Gathers what the planner needs from snapd: plug connections and service states. */
import type { Facts } from './plan';
import { DOCKERD_PLUGS, type DockerdPlug } from './plugs';
import type { Snapctl } from './snapctl';

export interface FactsInput {
  snapctl: Snapctl;
  snapName: string;
  hasWork: boolean;
  /** In connect/disconnect hooks: the plug being changed, whatever snapd reports mid-change. */
  override?: { plug: string; connected: boolean };
}

export async function gatherFacts(i: FactsInput): Promise<Facts> {
  const plugs = {} as Record<DockerdPlug, boolean>;
  for (const p of DOCKERD_PLUGS) {
    plugs[p] = i.override?.plug === p ? i.override.connected : await i.snapctl.isConnected(p);
  }
  const names = [`${i.snapName}.dockerd`, `${i.snapName}.iotedged`];
  const states = await i.snapctl.serviceStates(names);
  const off = { enabled: false, active: false };
  return {
    plugs,
    services: { dockerd: states[names[0]] ?? off, iotedged: states[names[1]] ?? off },
    hasWork: i.hasWork,
  };
}
