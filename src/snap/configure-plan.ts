/**
 * What a configure run writes, decided from what was read beforehand: pure, synchronous, testable
 * without snapd or files. Every option and every file it points at is checked here, config.toml,
 * daemon.json and the deployment copy rendered, and the writes listed, before anything is done;
 * a bad input throws an OptionError (or the config's own error), and nothing was written.
 */
import { parseDeploymentText } from '../agent/manifest/parse';
import type { EdgeError } from '../errors';
import { parseDeviceConnectionString, unquoteConnectionString } from '../config/connection-string';
import type { Applied, InputRead } from './applied';
import { mergeDaemonJson } from './engine/settings';
import { OptionError } from './errors';
import type { SnapOptions } from './options';
import type { SnapPaths } from './paths';
import type { Changes, Step } from './plan';
import { defaultConfigDoc, parseToml, renderConfig, validateConfig } from './render-config';

/** What configure reads before it decides anything. */
export interface ConfigureFacts {
  options: SnapOptions;
  /** The files as they are now (undefined: absent). */
  current: { config?: string; daemonJson?: string; deployment?: string; logLevel?: string };
  /** What the last successful run read from cs-file and deployment-file. */
  applied: Applied;
  /** cs-file's content, or "kept" (gone, but the option is unchanged since it was applied). */
  csFile?: InputRead;
  deploymentFile?: InputRead;
  paths: SnapPaths;
  /** The machine's host name, for a first config.toml. */
  hostname: string;
}

export interface ConfigurePlan {
  /** The file writes, removals and unsets, in order (the services' steps come after, from their own facts). */
  steps: Step[];
  changes: Changes;
  /** The record of cs-file and deployment-file to keep once the steps are done. */
  applied: Applied;
  /** The new config has provisioning or a local deployment: iotedged has work. */
  hasWork: boolean;
  /** What the run should tell the operator (kept files, unset credentials). */
  notes: string[];
}

export function planConfigure(f: ConfigureFacts): ConfigurePlan {
  const { options, current, applied, paths } = f;
  const nowApplied: Applied = {};
  const notes: string[] = [];

  let connectionString: string | undefined;
  // Unsetting the credential source deprovisions, as removing the file from upstream's config does.
  const csFileUnset = !options.connectionString && !options.csFile && applied['cs-file'] !== undefined;
  if (options.connectionString) connectionString = checkConnectionString('connection-string', options.connectionString);
  else if (options.csFile && f.csFile) {
    nowApplied['cs-file'] = f.csFile.record;
    if (f.csFile.kind === 'read' && f.csFile.text.trim() === '') {
      throw new OptionError(`cs-file: ${options.csFile} is empty`, { hint: "write the device's connection string into it (az iot hub device-identity connection-string show)" });
    }
    if (f.csFile.kind === 'read') connectionString = checkConnectionString('cs-file', f.csFile.text);
    else notes.push(`cs-file ${options.csFile} is gone; it was applied before: keeping the current provisioning`);
  }

  let deployment: string | undefined;
  let keepDeployment = false;
  // Unsetting the manifest ends the local deployment, as unsetting cs-file ends provisioning.
  const deploymentUnset = !options.deploymentFile && applied['deployment-file'] !== undefined;
  if (options.deploymentFile && f.deploymentFile) {
    nowApplied['deployment-file'] = f.deploymentFile.record;
    if (f.deploymentFile.kind === 'read') deployment = checkDeployment(f.deploymentFile.text);
    else if (current.deployment !== undefined) {
      keepDeployment = true;
      notes.push(`deployment-file ${options.deploymentFile} is gone; it was applied before: keeping the current deployment`);
    } else {
      throw new OptionError(`deployment-file: ${options.deploymentFile} does not exist`, { hint: 'give the deployment manifest again' });
    }
  }

  const base = options.rawConfig
    ? parseToml('raw-config', options.rawConfig)
    : current.config !== undefined
      ? parseTomlOr(current.config, defaultConfigDoc(f.hostname))
      : defaultConfigDoc(f.hostname);
  if (csFileUnset) {
    if (!options.rawConfig) delete base.provisioning;
    notes.push('cs-file was unset: its credentials are removed from config.toml; the device is no longer provisioned');
  }
  if (deploymentUnset) {
    if (!options.rawConfig) delete base.local_deployment;
    notes.push('deployment-file was unset: [local_deployment] is removed from config.toml and its copy deleted; the modules it started stay until edged or the cloud removes them');
  }
  // connection-string is consumed and unset, and cs-file may be kept: a raw-config without
  // [provisioning] must not drop the credentials config.toml already holds.
  if (!csFileUnset && connectionString === undefined && base.provisioning === undefined && current.config !== undefined) {
    const provisioning = parseTomlOr(current.config, {}).provisioning;
    if (provisioning !== undefined) base.provisioning = provisioning;
  }
  const configText = renderConfig({ base, options, paths, connectionString, deployment: deployment !== undefined || keepDeployment });
  const config = validateConfig(configText, paths);
  const daemonText = JSON.stringify(mergeDaemonJson(options.dockerDaemon ?? {}), null, 2) + '\n';

  // Everything is valid: the writes, in order.
  const steps: Step[] = [];
  const changes = { config: false, daemonJson: false };
  if (deployment !== undefined && deployment !== current.deployment) {
    steps.push({ kind: 'write', file: paths.deploymentCopy, content: deployment, mode: 0o600, what: 'the local deployment' });
    changes.config = true;
  }
  if (configText !== current.config) {
    steps.push({ kind: 'write', file: paths.configFile, content: configText, mode: 0o600, what: 'config.toml' });
    changes.config = true;
  }
  // After config.toml no longer names it, so edged never reads a config pointing at nothing.
  if (deploymentUnset && current.deployment !== undefined && config.local_deployment?.file !== paths.deploymentCopy) {
    steps.push({ kind: 'remove', file: paths.deploymentCopy, what: 'the local deployment' });
  }
  if (daemonText !== current.daemonJson) {
    steps.push({ kind: 'write', file: paths.daemonJson, content: daemonText, mode: 0o644, what: 'daemon.json' });
    changes.daemonJson = true;
  }
  const logLevel = `${options.logLevel ?? 'info'}\n`;
  if (logLevel !== (current.logLevel ?? 'info\n')) {
    steps.push({ kind: 'write', file: paths.logLevelFile, content: logLevel, mode: 0o644, what: 'the log level' });
    changes.config = true;
  }
  // Inline secrets now live only in config.toml (0600), not in snapd's state; the next hook
  // starts from config.toml, as it does once a raw-config was applied.
  const consumed = [...(options.connectionString ? ['connection-string'] : []), ...(options.rawConfig ? ['raw-config'] : [])];
  if (consumed.length) steps.push({ kind: 'unset', keys: consumed });

  return { steps, changes, applied: nowApplied, hasWork: config.provisioning !== undefined || config.local_deployment !== undefined, notes };
}

export function checkConnectionString(option: string, raw: string): string {
  const value = unquoteConnectionString(raw);
  if (value.includes('\n')) throw new OptionError(`${option}: the connection string must be a single line`);
  const parsed = parseDeviceConnectionString(value);
  if (!parsed.ok) {
    throw new OptionError(`${option}: ${parsed.problem}`, {
      hint: 'expected HostName=<hub>.azure-devices.net;DeviceId=<id>;SharedAccessKey=<base64 key>',
    });
  }
  return value;
}

/** edged's own manifest parser: what it would refuse later is refused here, while snap set can say so. */
export function checkDeployment(text: string): string {
  try {
    parseDeploymentText(text);
  } catch (e) {
    const error = e as EdgeError;
    throw new OptionError(`deployment-file: ${error.message}`, { hint: 'fix the manifest and set it again; nothing was changed', cause: e });
  }
  return text;
}

function parseTomlOr(text: string, fallback: Record<string, unknown>): Record<string, unknown> {
  try {
    return parseToml('config.toml', text);
  } catch {
    return fallback;
  }
}
