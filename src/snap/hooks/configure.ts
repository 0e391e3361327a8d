/**
 * The configure hook (`snap set`): validate every option and everything they point at, render
 * config.toml, daemon.json and the deployment copy, and only then write what changed (atomic,
 * config 0600) and start or restart what can now run. Any error before the writes leaves the
 * previous files byte-identical, and snapd rolls the option back.
 */
import { parseDeploymentText } from '../../agent/manifest/parse';
import type { EdgeError } from '../../errors';
import { parseDeviceConnectionString, unquoteConnectionString } from '../../config/connection-string';
import { mergeDaemonJson } from '../engine/settings';
import { OptionError } from '../errors';
import { executeSteps } from '../execute';
import { gatherFacts } from '../facts';
import { type Applied, readApplied, readOrKeep, writeApplied } from '../applied';
import { overlayOptions, parseOptions, topLevelKeys } from '../options';
import { planServices, type Step } from '../plan';
import { defaultConfigDoc, parseToml, renderConfig, validateConfig } from '../render-config';
import type { HookDeps } from './deps';
import { makeDirs, readIfExists } from './state';

export const CS_FILE_MAX = 4096;
export const DEPLOYMENT_MAX = 1024 * 1024;

/** A confdb write (src/snap/confdb) goes through here too, so a view and `snap set` cannot disagree. */
export interface ConfigureInput {
  /** Option values laid over snapd's, by option key (undefined: unset). */
  overlay?: ReadonlyMap<string, unknown>;
  /** Validate everything, then stop: nothing written, no service touched. */
  dryRun?: boolean;
}

export async function configure(d: HookDeps, input: ConfigureInput = {}): Promise<void> {
  const doc = await d.snapctl.getAll(topLevelKeys());
  const options = parseOptions(input.overlay ? overlayOptions(doc, input.overlay) : doc);

  const current = {
    config: await readIfExists(d.paths.configFile),
    daemonJson: await readIfExists(d.paths.daemonJson),
    deployment: await readIfExists(d.paths.deploymentCopy),
    logLevel: await readIfExists(d.paths.logLevelFile),
  };
  const applied = await readApplied(d.paths.appliedFile);
  const nowApplied: Applied = {};

  let connectionString: string | undefined;
  // Unsetting the credential source deprovisions, as removing the file from upstream's config does.
  const csFileUnset = !options.connectionString && !options.csFile && applied['cs-file'] !== undefined;
  if (options.connectionString) connectionString = checkConnectionString('connection-string', options.connectionString);
  else if (options.csFile) {
    const got = await readOrKeep('cs-file', options.csFile, CS_FILE_MAX, applied);
    nowApplied['cs-file'] = got.record;
    if (got.kind === 'read' && got.text.trim() === '') {
      throw new OptionError(`cs-file: ${options.csFile} is empty`, { hint: "write the device's connection string into it (az iot hub device-identity connection-string show)" });
    }
    if (got.kind === 'read') connectionString = checkConnectionString('cs-file', got.text);
    else d.logger.info(`cs-file ${options.csFile} is gone; it was applied before: keeping the current provisioning`);
  }

  let deployment: string | undefined;
  let keepDeployment = false;
  // Unsetting the manifest ends the local deployment, as unsetting cs-file ends provisioning.
  const deploymentUnset = !options.deploymentFile && applied['deployment-file'] !== undefined;
  if (options.deploymentFile) {
    const got = await readOrKeep('deployment-file', options.deploymentFile, DEPLOYMENT_MAX, applied);
    nowApplied['deployment-file'] = got.record;
    if (got.kind === 'read') deployment = checkDeployment(got.text);
    else if (current.deployment !== undefined) {
      keepDeployment = true;
      d.logger.info(`deployment-file ${options.deploymentFile} is gone; it was applied before: keeping the current deployment`);
    } else {
      throw new OptionError(`deployment-file: ${options.deploymentFile} does not exist`, { hint: 'give the deployment manifest again' });
    }
  }

  const base = options.rawConfig
    ? parseToml('raw-config', options.rawConfig)
    : current.config !== undefined
      ? parseTomlOr(current.config, defaultConfigDoc(d.hostname))
      : defaultConfigDoc(d.hostname);
  if (csFileUnset) {
    if (!options.rawConfig) delete base.provisioning;
    d.logger.info('cs-file was unset: its credentials are removed from config.toml; the device is no longer provisioned');
  }
  if (deploymentUnset) {
    if (!options.rawConfig) delete base.local_deployment;
    d.logger.info('deployment-file was unset: [local_deployment] is removed from config.toml and its copy deleted; the modules it started stay until edged or the cloud removes them');
  }
  // connection-string is consumed and unset, and cs-file may be kept: a raw-config without
  // [provisioning] must not drop the credentials config.toml already holds.
  if (!csFileUnset && connectionString === undefined && base.provisioning === undefined && current.config !== undefined) {
    const provisioning = parseTomlOr(current.config, {}).provisioning;
    if (provisioning !== undefined) base.provisioning = provisioning;
  }
  const configText = renderConfig({ base, options, paths: d.paths, connectionString, deployment: deployment !== undefined || keepDeployment });
  const config = validateConfig(configText, d.paths);
  const daemonText = JSON.stringify(mergeDaemonJson(options.dockerDaemon ?? {}), null, 2) + '\n';

  if (input.dryRun) return;
  // Everything is valid: from here on, act.
  const steps: Step[] = [];
  const changes = { config: false, daemonJson: false };
  if (deployment !== undefined && deployment !== current.deployment) {
    steps.push({ kind: 'write', file: d.paths.deploymentCopy, content: deployment, mode: 0o600, what: 'the local deployment' });
    changes.config = true;
  }
  if (configText !== current.config) {
    steps.push({ kind: 'write', file: d.paths.configFile, content: configText, mode: 0o600, what: 'config.toml' });
    changes.config = true;
  }
  // After config.toml no longer names it, so edged never reads a config pointing at nothing.
  if (deploymentUnset && current.deployment !== undefined && config.local_deployment?.file !== d.paths.deploymentCopy) {
    steps.push({ kind: 'remove', file: d.paths.deploymentCopy, what: 'the local deployment' });
  }
  if (daemonText !== current.daemonJson) {
    steps.push({ kind: 'write', file: d.paths.daemonJson, content: daemonText, mode: 0o644, what: 'daemon.json' });
    changes.daemonJson = true;
  }
  const logLevel = `${options.logLevel ?? 'info'}\n`;
  if (logLevel !== (current.logLevel ?? 'info\n')) {
    steps.push({ kind: 'write', file: d.paths.logLevelFile, content: logLevel, mode: 0o644, what: 'the log level' });
    changes.config = true;
  }
  // Inline secrets now live only in config.toml (0600), not in snapd's state; the next hook
  // starts from config.toml, as it does once a raw-config was applied.
  const consumed = [...(options.connectionString ? ['connection-string'] : []), ...(options.rawConfig ? ['raw-config'] : [])];
  if (consumed.length) steps.push({ kind: 'unset', keys: consumed });

  const facts = await gatherFacts({
    snapctl: d.snapctl,
    snapName: d.snapName,
    hasWork: config.provisioning !== undefined || config.local_deployment !== undefined,
  });
  steps.push(...planServices(facts, changes));
  await makeDirs(d.paths);
  await executeSteps(steps, { snapctl: d.snapctl, snapName: d.snapName, logger: d.logger });
  if (JSON.stringify(nowApplied) !== JSON.stringify(applied)) await writeApplied(d.paths.appliedFile, nowApplied);
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
