/**
 * The three shapes a deployment arrives in, reduced to `$edgeAgent`'s desired properties:
 *  - IoT Hub's `{"modulesContent": {"$edgeAgent": {"properties.desired": {...}}, ...}}`
 *  - the Azure CLI's `{"content": {"modulesContent": ...}}`
 *  - edgeAgent's local file `{"version": N, "deploymentConfig": {...}}`
 */
import { DeploymentStatusCode } from '../types';
import { DeploymentError } from './errors';
import { isObject } from '../../util/is-object';

export interface DesiredDocument {
  desired: Record<string, unknown>;
  version?: number;
  shape: 'modulesContent' | 'content' | 'deploymentConfig' | 'desired';
}

export function parseJson(text: string, source = 'the deployment'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DeploymentError(`${source} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

export function unwrap(doc: unknown): DesiredDocument {
  if (!isObject(doc)) throw new DeploymentError('the deployment must be a JSON object', { code: DeploymentStatusCode.empty });
  if (isObject(doc.content) && !('modulesContent' in doc)) {
    return { ...fromModulesContent(doc.content, 'content.'), shape: 'content' };
  }
  if ('modulesContent' in doc) return { ...fromModulesContent(doc, ''), shape: 'modulesContent' };
  if ('deploymentConfig' in doc) {
    if (!isObject(doc.deploymentConfig)) throw new DeploymentError('must be an object', { field: 'deploymentConfig', code: DeploymentStatusCode.empty });
    if (doc.version !== undefined && !(Number.isInteger(doc.version) && (doc.version as number) >= 0)) {
      throw new DeploymentError('must be a non-negative integer', { field: 'version' });
    }
    return { desired: doc.deploymentConfig, version: doc.version as number | undefined, shape: 'deploymentConfig' };
  }
  // The desired properties themselves, as `az iot edge` prints them for one module twin.
  if ('schemaVersion' in doc && ('modules' in doc || 'systemModules' in doc)) {
    return { desired: doc, version: desiredVersion(doc), shape: 'desired' };
  }
  throw new DeploymentError('not a deployment: expected "modulesContent", "content" or "deploymentConfig" at the top', {
    code: DeploymentStatusCode.empty,
    hint: 'start from examples/deployment.json or a manifest exported from IoT Hub',
  });
}

function fromModulesContent(doc: Record<string, unknown>, prefix: string): Omit<DesiredDocument, 'shape'> {
  const mc = doc.modulesContent;
  if (!isObject(mc)) throw new DeploymentError('must be an object', { field: `${prefix}modulesContent`, code: DeploymentStatusCode.empty });
  const agent = mc.$edgeAgent;
  if (!isObject(agent)) {
    throw new DeploymentError('missing: the deployment has no $edgeAgent section', {
      field: `${prefix}modulesContent.$edgeAgent`,
      code: DeploymentStatusCode.empty,
    });
  }
  const desired = agent['properties.desired'];
  if (!isObject(desired)) {
    throw new DeploymentError('missing or not an object', {
      field: `${prefix}modulesContent.$edgeAgent["properties.desired"]`,
      code: DeploymentStatusCode.empty,
    });
  }
  return { desired, version: desiredVersion(desired) };
}

function desiredVersion(desired: Record<string, unknown>): number | undefined {
  const v = desired.$version;
  return Number.isInteger(v) ? (v as number) : undefined;
}
