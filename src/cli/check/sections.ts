/** The checks, in upstream's order (later checks may depend on earlier ones). */
import * as config from './checks/config';
import * as connectivity from './checks/connectivity';
import * as engine from './checks/engine';
import * as tc from './checks/time-certs';
import type { Section } from './types';

export const sections: Section[] = [
  {
    name: 'Configuration checks',
    checks: [
      config.wellFormedConfig,
      config.upToDateConfig,
      engine.containerEngineInstalled,
      config.parentHostname,
      config.connectManagementUri,
      config.hostname,
      tc.certificatesQuickstart,
      tc.edgeCaExpiry,
      tc.identityCertificateExpiry,
      engine.containerEngineDns,
      engine.containerEngineIpv6,
      engine.containerEngineIsMoby,
      engine.containerEngineLogrotate,
      engine.containerEngineDiskSpace,
      engine.checkAgentImage,
    ],
  },
  {
    name: 'Connectivity checks',
    parallel: true,
    checks: [tc.hostLocalTime, connectivity.hostConnectDps, connectivity.hostConnectIothubAmqp, connectivity.hostConnectIothubHttps, connectivity.hostConnectIothubMqtt],
  },
];
