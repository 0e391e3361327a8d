/**
 * observe-device and observe-modules, built at each read from what is live: edged's management
 * API (modules, version), the agent's reported state (restart counts, deployment status), the
 * config the snap wrote and its services. Pure: the load-view hooks gather, these shape.
 */
import type { SuperConfig } from '../../config/types';

/** A module as the management API lists it. */
export interface LiveModule {
  name: string;
  status: string;
  image: string;
  exitCode?: number;
}

/** edged, asked over its management socket; injected (the hooks' composition root builds it). */
export interface EdgedLive {
  modules(): Promise<LiveModule[]>;
  version(): Promise<string>;
}

/** The part of the agent's reported-state.json read here. */
export interface ReportedSummary {
  modules?: Record<string, { restartCount?: number }>;
  lastDesiredStatus?: { code: number; description: string };
}

export interface ModuleRow {
  name: string;
  status: string;
  image: string;
  'restart-count': number;
  'exit-code'?: number;
}

export function modulesView(live: LiveModule[], reported: ReportedSummary | undefined): ModuleRow[] {
  return live.map((m) => {
    const row: ModuleRow = { name: m.name, status: m.status, image: m.image, 'restart-count': reported?.modules?.[m.name]?.restartCount ?? 0 };
    if (m.exitCode !== undefined) row['exit-code'] = m.exitCode;
    return row;
  });
}

export interface DeviceFacts {
  /** config.toml as edged will read it; undefined when the snap has not written one. */
  config?: Pick<SuperConfig, 'provisioning'>;
  services: { dockerd: boolean; iotedged: boolean };
  /** edged's version when its management API answered. */
  edgedVersion?: string;
  reported?: ReportedSummary;
  snapVersion: string;
}

/** The view's requests (dotted, as snapctl set --view takes them) and their values. */
export function deviceView(f: DeviceFacts): Record<string, unknown> {
  const p = f.config?.provisioning;
  // null: unset (what snapd kept from an earlier read must not show through).
  const out: Record<string, unknown> = { id: null, hub: null };
  let source = 'none';
  if (p?.source === 'dps') {
    source = 'dps';
  } else if (p && 'connection' in p) {
    source = 'connection-string';
    out.id = p.connection.deviceId;
    out.hub = p.connection.hostName;
  } else if (p) {
    source = 'manual';
    out.id = p.device_id;
    out.hub = p.iothub_hostname;
  }
  const state = !p ? 'not-provisioned' : f.edgedVersion !== undefined ? 'running' : 'configured';
  out['provisioning.source'] = source;
  out['provisioning.state'] = state;
  const health: Record<string, unknown> = { dockerd: f.services.dockerd ? 'active' : 'inactive', iotedged: f.services.iotedged ? 'active' : 'inactive' };
  if (f.reported?.lastDesiredStatus) health.deployment = f.reported.lastDesiredStatus.description;
  out.health = health;
  out['versions.snap'] = f.snapVersion;
  out['versions.edged'] = f.edgedVersion ?? null;
  return out;
}
