/**
 * The provisioning file: what an image (or anyone) leaves under $SNAP_COMMON for the snap to
 * import once, at install/configure and at service start. It holds snap option values, checked
 * by the same parsers as `snap set`, plus the files they name and an optional deployment.
 *
 *   $SNAP_COMMON/provisioning.json   (0600, root; removed once imported)
 *   { "format": 1,
 *     "options": { "connection-string": "...", "raw-config": "...", "hostname": "...", "log-level": "..." },
 *     "files": { "identity.cert.pem": "...", "identity.key.pem": "..." },   // -> etc/aziot/provisioned/ (0600)
 *     "deployment": { ...a deployment manifest... } }                      // -> deployment-file
 */
import { ConfigError } from '../errors';
import { isObject } from '../util/is-object';

export const PROVISIONING_FILE = 'provisioning.json';
/** Under $SNAP_COMMON: where `files` go, so a raw-config can name them as file:// URIs. */
export const PROVISIONED_DIR = 'etc/aziot/provisioned';
export const SNAP_COMMON_ON_DEVICE = '/var/snap/azure-iot-edge/common';
/** The option keys a provisioning file may set; the secret ones leave snapd once consumed. */
export const PROVISIONING_OPTIONS = ['connection-string', 'raw-config', 'hostname', 'log-level'] as const;
export const MAX_PROVISIONING_BYTES = 1024 * 1024;
const FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface ProvisioningFile {
  format: 1;
  options: Partial<Record<(typeof PROVISIONING_OPTIONS)[number], string>>;
  files: Record<string, string>;
  deployment?: Record<string, unknown>;
}

export function renderProvisioningFile(p: ProvisioningFile): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}

/** The file's shape only; the values are the option parsers' and the manifest parser's to check. */
export function parseProvisioningFile(text: string): ProvisioningFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ConfigError('the provisioning file is not valid JSON');
  }
  if (!isObject(doc) || doc.format !== 1) throw new ConfigError('the provisioning file has no "format": 1');
  const unknownTop = Object.keys(doc).filter((k) => !['format', 'options', 'files', 'deployment'].includes(k));
  if (unknownTop.length) throw new ConfigError(`the provisioning file has unknown key ${unknownTop.join(', ')}`, { hint: 'keys: format, options, files, deployment' });
  const options = doc.options ?? {};
  if (!isObject(options)) throw new ConfigError('the provisioning file\'s "options" must be an object');
  for (const [k, v] of Object.entries(options)) {
    if (!(PROVISIONING_OPTIONS as readonly string[]).includes(k)) {
      throw new ConfigError(`the provisioning file sets option ${k}, which it may not`, { hint: `options: ${PROVISIONING_OPTIONS.join(', ')}` });
    }
    if (typeof v !== 'string') throw new ConfigError(`the provisioning file's option ${k} must be a string`);
  }
  const files = doc.files ?? {};
  if (!isObject(files)) throw new ConfigError('the provisioning file\'s "files" must be an object');
  for (const [name, content] of Object.entries(files)) {
    if (!FILE_NAME.test(name)) throw new ConfigError(`the provisioning file names a file ${JSON.stringify(name.slice(0, 80))}: only a-z, 0-9, '.', '_', '-'`);
    if (typeof content !== 'string') throw new ConfigError(`the provisioning file's file ${name} must be a string`);
  }
  if (doc.deployment !== undefined && !isObject(doc.deployment)) throw new ConfigError('the provisioning file\'s "deployment" must be an object');
  return { format: 1, options: options, files: files as Record<string, string>, ...(doc.deployment ? { deployment: doc.deployment } : {}) };
}
