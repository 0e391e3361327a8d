/** The container engine: reachable, configured for production, room for images, the agent image. */
import { formatError } from '../../../errors';
import { error, ignored, ok, warning, type Checker } from '../types';

export const containerEngineInstalled: Checker = {
  id: 'container-engine-uri',
  description: 'container engine is installed and functional',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const uri = (await facts.config()).moby_runtime.uri;
    try {
      await facts.engine();
      return ok;
    } catch (e) {
      const hint = facts.inSnap ? 'Is the engine running? `snap services azure-iot-edge` and `snap logs azure-iot-edge.dockerd`' : 'Is dockerd running, and is moby_runtime.uri right?';
      return { kind: 'fatal', message: `Could not communicate with the container engine at ${uri}. ${hint}`, causes: [formatError(e)] };
    }
  },
};

export const containerEngineIsMoby: Checker = {
  id: 'container-engine-is-moby',
  description: 'production readiness: container engine',
  needs: ['container-engine-uri'],
  async run(facts) {
    const c = await facts.config();
    if (facts.bundledEngineUri && c.moby_runtime.uri !== facts.bundledEngineUri) {
      return warning(`moby_runtime.uri is ${c.moby_runtime.uri}, not the engine this snap ships (${facts.bundledEngineUri}); only the bundled engine is supported.`);
    }
    const info = await facts.engine();
    return info.serverVersion ? ok : warning('The container engine did not report its version.');
  },
};

export const containerEngineDns: Checker = {
  id: 'container-engine-dns',
  description: 'DNS server',
  needs: ['container-engine-uri'],
  async run(facts) {
    const { path, doc } = await facts.daemonJson();
    const dns = doc?.dns;
    if (Array.isArray(dns) && dns.length > 0) return ok;
    return warning(
      `Container engine is not configured with DNS server setting, which may impact connectivity to IoT Hub.\nPlease see https://aka.ms/iotedge-prod-checklist-dns for best practices.${where(path, facts.inSnap, 'dns')}`,
    );
  },
};

export const containerEngineIpv6: Checker = {
  id: 'container-engine-ipv6',
  description: 'IPv6 network configuration',
  needs: ['container-engine-uri'],
  async run(facts) {
    const c = await facts.config();
    if (!c.moby_runtime.network_options?.ipv6) return ignored;
    const { path, doc } = await facts.daemonJson();
    return doc?.ipv6 === true
      ? ok
      : error(`The IoT Edge network ${c.moby_runtime.network} asks for IPv6, but the container engine does not have IPv6 enabled.${where(path, facts.inSnap, 'ipv6')}`);
  },
};

export const containerEngineLogrotate: Checker = {
  id: 'container-engine-logrotate',
  description: 'production readiness: logs policy',
  needs: ['container-engine-uri'],
  async run(facts) {
    const { path, doc } = await facts.daemonJson();
    const driver = (doc?.['log-driver'] as string | undefined) ?? (await facts.engine()).loggingDriver;
    const opts = (doc?.['log-opts'] ?? {}) as Record<string, unknown>;
    if (driver === 'local' || driver === 'journald') return ok;
    if ((driver === undefined || driver === 'json-file') && opts['max-size'] !== undefined && opts['max-file'] !== undefined) return ok;
    return warning(
      `Container engine is not configured to rotate module logs which may cause it run out of disk space.\nPlease see https://aka.ms/iotedge-prod-checklist-logs for best practices.${where(path, facts.inSnap, 'log-opts')}`,
    );
  },
};

const GiB = 1024 ** 3;

export const containerEngineDiskSpace: Checker = {
  id: 'container-engine-disk-space',
  description: 'disk space where the container engine keeps its data',
  needs: ['container-engine-uri'],
  async run(facts) {
    const dir = (await facts.engine()).rootDir;
    if (!dir) return warning('The container engine did not report its data directory.');
    let space;
    try {
      space = await facts.diskSpace(dir);
    } catch (e) {
      return warning(`Could not read the free space of ${dir}: ${(e as Error).message}`);
    }
    const free = `${(space.freeBytes / GiB).toFixed(1)} GiB free of ${(space.totalBytes / GiB).toFixed(1)} GiB at ${dir}`;
    if (space.freeBytes < 256 * 1024 ** 2) return error(`Only ${free}: images cannot be pulled and modules may fail. Remove unused images or add storage.`);
    if (space.freeBytes < GiB || space.freeBytes < space.totalBytes * 0.1) return warning(`Only ${free}. Image garbage collection ([image_garbage_collection]) and log rotation keep it from filling.`);
    return ok;
  },
};

export const checkAgentImage: Checker = {
  id: 'check-agent-image',
  description: 'Agent image is present or can be pulled',
  needs: ['container-engine-uri'],
  async run(facts) {
    const c = await facts.config();
    if (c.local_deployment) return ignored;
    const image = c.agent.config.image;
    if (await facts.engineProbe().hasImage(image)) return ok;
    if (c.agent.imagePullPolicy === 'never') return error(`The agent image ${image} is not on this device and agent.imagePullPolicy is "never": load it (docker load) or allow pulling.`);
    return warning(`The agent image ${image} is not on this device yet: edged pulls it when it starts, which needs access to its registry.`);
  },
};

function where(path: string | undefined, inSnap: boolean, key: string): string {
  if (inSnap) return `\nSet "${key}" with: sudo snap set azure-iot-edge docker.daemon='{...}'`;
  return path ? `\nSet "${key}" in ${path}.` : '';
}
