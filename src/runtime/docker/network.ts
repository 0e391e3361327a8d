/**
 * The module network's create body: the owner label, and upstream's `[moby_runtime.network]`
 * settings (`ipv6`, `ipam.config`) when the network is given as a table.
 */
import type Docker from 'dockerode';
import { OWNER_LABEL, OWNER_VALUE } from '../types';

export interface NetworkSettings {
  ipv6?: boolean;
  ipam?: { config?: Array<{ gateway?: string; subnet?: string; ip_range?: string }> };
}

export function networkCreateBody(name: string, settings: NetworkSettings = {}): Docker.NetworkCreateOptions {
  const body: Docker.NetworkCreateOptions = { Name: name, CheckDuplicate: true, Labels: { [OWNER_LABEL]: OWNER_VALUE } };
  if (settings.ipv6 !== undefined) body.EnableIPv6 = settings.ipv6;
  const pools = settings.ipam?.config;
  if (pools?.length) {
    body.IPAM = {
      Driver: 'default',
      Config: pools.map((p) => ({
        ...(p.subnet !== undefined ? { Subnet: p.subnet } : {}),
        ...(p.ip_range !== undefined ? { IPRange: p.ip_range } : {}),
        ...(p.gateway !== undefined ? { Gateway: p.gateway } : {}),
      })),
    };
  }
  return body;
}
