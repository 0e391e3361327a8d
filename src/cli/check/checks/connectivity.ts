/** Connectivity: a TLS handshake from the host with IoT Hub's ports and with DPS (short timeouts). */
import type { SuperConfig } from '../../../config/types';
import { ignored, ok, warning, type Checker } from '../types';

function hubHost(c: SuperConfig): string | undefined {
  if (c.parent_hostname) return c.parent_hostname;
  const p = c.provisioning;
  if (p?.source !== 'manual') return undefined;
  if ('connection' in p) return p.connection.hostName;
  return p.iothub_hostname;
}

function connect(id: string, port: number, label: string): Checker {
  return {
    id,
    description: `host can connect to and perform TLS handshake with iothub ${label} port`,
    needs: ['aziot-edged-config-well-formed'],
    async run(facts) {
      const host = hubHost(await facts.config());
      if (!host) return ignored; // DPS (the hub is known after provisioning) or no cloud at all
      try {
        await facts.tlsConnect(host, port);
        return ok;
      } catch (e) {
        return warning(`Could not connect to ${host}:${port}: ${(e as Error).message}. Without it the device works offline only; check the network, DNS and firewall.`);
      }
    },
  };
}

export const hostConnectIothubAmqp = connect('host-connect-iothub-amqp', 5671, 'AMQP');
export const hostConnectIothubHttps = connect('host-connect-iothub-https', 443, 'HTTPS / WebSockets');
export const hostConnectIothubMqtt = connect('host-connect-iothub-mqtt', 8883, 'MQTT');

export const hostConnectDps: Checker = {
  id: 'host-connect-dps-endpoint',
  description: 'host can connect to and perform TLS handshake with DPS endpoint',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const p = (await facts.config()).provisioning;
    if (p?.source !== 'dps') return ignored;
    const url = new URL(p.global_endpoint ?? 'https://global.azure-devices-provisioning.net');
    try {
      await facts.tlsConnect(url.hostname, Number(url.port || 443));
      return ok;
    } catch (e) {
      return warning(`Could not connect to ${url.host}: ${(e as Error).message}. The device cannot provision until it can.`);
    }
  },
};
