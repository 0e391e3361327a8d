/**
 * What the hooks do, decided from facts gathered beforehand: pure, synchronous, testable
 * without snapd. dockerd runs when every plug it needs is connected; iotedged when dockerd can
 * and the device has credentials or a local deployment. The executor (execute.ts) acts.
 */
import { DOCKERD_PLUGS, type DockerdPlug } from './plugs';

export type ServiceName = 'dockerd' | 'iotedged';
export interface ServiceState {
  enabled: boolean;
  active: boolean;
}

export interface Facts {
  plugs: Record<DockerdPlug, boolean>;
  services: Record<ServiceName, ServiceState>;
  /** The config has provisioning or a local deployment. */
  hasWork: boolean;
}

/** What this hook run changed on disk; a running service picks it up by restarting. */
export interface Changes {
  config: boolean;
  daemonJson: boolean;
}

export type Step =
  | { kind: 'write'; file: string; content: string; mode: number; what: string }
  | { kind: 'remove'; file: string; what: string }
  | { kind: 'unset'; keys: string[] }
  | { kind: 'service'; action: 'start' | 'stop' | 'restart'; service: ServiceName; persist: boolean; why: string }
  | { kind: 'health'; status: 'okay' | 'waiting' | 'error'; message?: string; code?: string };

export function missingPlugs(facts: Facts): DockerdPlug[] {
  return DOCKERD_PLUGS.filter((p) => !facts.plugs[p]);
}

export function planServices(facts: Facts, changes: Changes = { config: false, daemonJson: false }): Step[] {
  const steps: Step[] = [];
  const missing = missingPlugs(facts);
  const dockerdCan = missing.length === 0;
  const iotedgedCan = dockerdCan && facts.hasWork;
  const { dockerd, iotedged } = facts.services;

  // Stop the dependant first, start the dependency first.
  if (!iotedgedCan && (iotedged.enabled || iotedged.active)) {
    steps.push({ kind: 'service', action: 'stop', service: 'iotedged', persist: true, why: dockerdCan ? 'no credentials or deployment' : `not connected: ${missing.join(', ')}` });
  }
  if (!dockerdCan && (dockerd.enabled || dockerd.active)) {
    steps.push({ kind: 'service', action: 'stop', service: 'dockerd', persist: true, why: `not connected: ${missing.join(', ')}` });
  }
  if (dockerdCan) {
    if (!dockerd.active || !dockerd.enabled) steps.push({ kind: 'service', action: 'start', service: 'dockerd', persist: true, why: 'every plug it needs is connected' });
    else if (changes.daemonJson) steps.push({ kind: 'service', action: 'restart', service: 'dockerd', persist: false, why: 'daemon.json changed' });
  }
  if (iotedgedCan) {
    if (!iotedged.active || !iotedged.enabled) steps.push({ kind: 'service', action: 'start', service: 'iotedged', persist: true, why: 'the engine can run and the device is configured' });
    else if (changes.config) steps.push({ kind: 'service', action: 'restart', service: 'iotedged', persist: false, why: 'the configuration changed' });
  }

  const health = healthFor(facts);
  if (health) steps.push(health);
  return steps;
}

/**
 * What the snap waits for, in the order a person must act. Nothing once iotedged can run: its
 * supervisor reports from then on (a hook's set-health lands when snapd ends the change, after
 * the service started, and would overwrite the supervisor's fresher "okay").
 */
function healthFor(facts: Facts): Step | undefined {
  const missing = missingPlugs(facts);
  if (missing.length) {
    return { kind: 'health', status: 'waiting', message: `connect ${missing.join(', ')}`, code: 'waiting-plugs' };
  }
  if (!facts.hasWork) {
    return { kind: 'health', status: 'waiting', message: 'set cs-file, connection-string or deployment-file', code: 'waiting-config' };
  }
  return undefined;
}
