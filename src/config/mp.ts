/**
 * `iotedge config mp`: a super-config for manual provisioning with a device connection string,
 * as upstream writes it (reprovisioning on errors only, the default agent). Inside the snap the
 * engine and edged sockets are the snap's; elsewhere edged's defaults apply.
 */
import { ConfigError } from '../errors';
import { parseDeviceConnectionString, unquoteConnectionString } from './connection-string';
import type { SnapOwnedKeys } from './apply';
import { assertValid, parseSources } from './parse';
import { defaultAt } from './schema/lookup';
import { toToml } from './serialize';

export function manualProvisioningConfig(connectionString: string, snapOwned?: SnapOwnedKeys): string {
  const cs = unquoteConnectionString(connectionString);
  const parsed = parseDeviceConnectionString(cs);
  if (!parsed.ok) {
    throw new ConfigError(`invalid connection string: ${parsed.problem.replace(/^the connection string /, '')}`, {
      hint: "copy the device's primary connection string from IoT Hub: HostName=...;DeviceId=...;SharedAccessKey=...",
    });
  }
  const doc: Record<string, unknown> = {
    auto_reprovisioning_mode: 'OnErrorOnly',
    provisioning: { source: 'manual', connection_string: cs },
    agent: {
      name: defaultAt(['agent', 'name']),
      type: defaultAt(['agent', 'type']),
      imagePullPolicy: defaultAt(['agent', 'imagePullPolicy']),
      config: { image: defaultAt(['agent', 'config', 'image']), createOptions: {} },
      env: {},
    },
  };
  if (snapOwned) {
    doc.connect = { workload_uri: snapOwned.workloadUri, management_uri: snapOwned.managementUri };
    doc.listen = { workload_uri: snapOwned.workloadUri, management_uri: snapOwned.managementUri };
    doc.moby_runtime = { uri: snapOwned.dockerUri, network: defaultAt(['moby_runtime', 'network']) };
  }
  const text = toToml(doc, 'Written by `iotedge config mp`: manual provisioning with a connection string.');
  assertValid(parseSources([{ file: '(generated configuration)', text }]));
  return text;
}
