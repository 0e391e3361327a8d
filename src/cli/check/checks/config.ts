/** Configuration checks: the file is well-formed and applied, the endpoints and host names make sense. */
import { formatError } from '../../../errors';
import { error, ignored, ok, warning, type Checker } from '../types';

export const wellFormedConfig: Checker = {
  id: 'aziot-edged-config-well-formed',
  description: 'aziot-edged configuration is well-formed',
  async run(facts) {
    try {
      await facts.config();
      return ok;
    } catch (e) {
      return { kind: 'fatal', message: `The IoT Edge configuration ${facts.configFile} is not usable: ${formatError(e)}` };
    }
  },
};

export const upToDateConfig: Checker = {
  id: 'config-up-to-date',
  description: 'configuration up-to-date with config.toml',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const state = await facts.configUpToDate();
    if (state === 'unknown') return ignored;
    return state === 'yes'
      ? ok
      : warning(`${facts.configFile} was modified after edged read it. Run \`iotedge config apply\` to use the new configuration.`);
  },
};

export const connectManagementUri: Checker = {
  id: 'connect-management-uri',
  description: 'configuration has correct URIs for daemon mgmt endpoint',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const c = await facts.config();
    // Unset, edgeAgent is told the sockets edged listens on.
    const management = c.connect.management_uri ?? c.listen.management_uri;
    const workload = c.connect.workload_uri ?? c.listen.workload_uri;
    for (const [key, uri] of [['connect.management_uri', management], ['connect.workload_uri', workload]] as const) {
      if (!/^(unix|http|https):\/\//.test(uri)) return error(`${key} is ${uri}: the daemon is reached over unix:// (or http://), not ${uri.split(':')[0]}://`);
    }
    try {
      await facts.listModules();
      return ok;
    } catch (e) {
      return error(`Could not reach the IoT Edge daemon at ${management}: ${formatError(e)}`);
    }
  },
};

export const hostname: Checker = {
  id: 'hostname',
  description: 'configuration has correct hostname',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const c = await facts.config();
    const machine = facts.machineHostname();
    const name = c.hostname ?? machine;
    if (name.length > 64) return error(`The hostname ${name} is longer than 64 characters: module certificates cannot carry it. Set a shorter hostname in config.toml.`);
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name)) {
      return error(`The hostname ${name} is not a valid RFC 1035 host name. Set "hostname" in config.toml to one made of letters, digits, "-" and ".".`);
    }
    if (c.hostname && c.hostname.toLowerCase() !== machine.toLowerCase()) {
      return warning(`config.toml has hostname ${c.hostname} but the device reports ${machine}. Modules connecting to this device (downstream devices) must use ${c.hostname}.`);
    }
    return ok;
  },
};

export const parentHostname: Checker = {
  id: 'parent_hostname',
  description: 'configuration has correct parent_hostname',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const parent = (await facts.config()).parent_hostname;
    if (!parent) return ignored;
    return parent.length > 64 ? error(`parent_hostname ${parent} is longer than 64 characters.`) : ok;
  },
};
