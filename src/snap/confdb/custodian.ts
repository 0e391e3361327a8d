/**
 * azure-iot-edge as the custodian of its confdb views (docs/confdb.md). The snap options stay
 * the one source of truth; every storage path is ephemeral, so snapd's copy is never read:
 * - change-view-PLUG: what this transaction wrote, laid over the options, runs through
 *   configure's own validation (dry run); a refusal is `snapctl fail` with the same line
 *   `snap set` would print.
 * - save-view-PLUG: the same values become snap options (snapctl set) and configure applies
 *   them: atomic writes, iotedged restarted only when its configuration changed.
 * - load-view-PLUG: the live values (the options, edged's modules, the device).
 * snapd 2.68 runs change-view and save-view under the same names; it has no load-view.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseSuperConfig } from '../../config/load';
import { EdgeError, formatError } from '../../errors';
import { writeFileAtomic } from '../../util/atomic-write';
import { checkConnectionString, checkDeployment } from '../configure-plan';
import { configure, DEPLOYMENT_MAX } from '../hooks/configure';
import type { HookDeps } from '../hooks/deps';
import { readIfExists } from '../hooks/state';
import { OptionError } from '../errors';
import { flattenOptions, topLevelKeys } from '../options';
import { SnapctlError } from '../snapctl';
import { deviceView, type EdgedLive, modulesView, type ReportedSummary } from './live';
import { changedRequests, type ConfdbHookKind, CUSTODIAN_PLUG, flattenView, runtimeView, runtimeWrite, underStorage } from './views';

export interface ConfdbDeps extends HookDeps {
  edged: EdgedLive;
  snapVersion: string;
}

/** A view write, as configure's input: option overlay, and what to persist. */
interface Proposal {
  overlay: Map<string, unknown>;
  /** Options to keep in snapd (the connection string is consumed by configure instead). */
  persist: Map<string, unknown>;
  /** A deployment manifest to write before the options name it. */
  deployment?: string;
}

/** Our copy of a manifest written through control-runtime (deployment-file names it). */
export const confdbDeploymentFile = (d: HookDeps) => path.join(path.dirname(d.paths.deploymentCopy), 'confdb-deployment.json');
/** The line the last refused write got, for control-runtime's last-refusal (never a secret: our lines name no value). */
export const lastRefusalFile = (d: HookDeps) => path.join(path.dirname(d.paths.deploymentCopy), 'confdb-last-refusal');

export async function runViewHook(d: ConfdbDeps, kind: ConfdbHookKind, plug: string): Promise<void> {
  switch (kind) {
    case 'change':
      return change(d, plug);
    case 'save':
      return save(d, plug);
    case 'load':
    case 'query':
      return load(d, plug);
  }
}

async function change(d: ConfdbDeps, plug: string): Promise<void> {
  let proposal: Proposal;
  try {
    proposal = await propose(d, plug);
    const overlay = new Map(proposal.overlay);
    // The manifest is checked already; our copy of it is written by save-view only.
    if (proposal.deployment !== undefined) overlay.delete('deployment-file');
    await configure(d, { overlay, dryRun: true });
  } catch (e) {
    if (!(e instanceof EdgeError) || e instanceof SnapctlError) throw e;
    // The reason snapd shows: `... azure-iot-edge rejected changes: <this line>`.
    const line = formatError(e);
    await d.snapctl.fail(line);
    await writeFileAtomic(lastRefusalFile(d), `${plug}: ${line}\n`, { mode: 0o644 });
    d.logger.info(`refused a write through ${plug}`);
    return;
  }
  d.logger.info(`accepted a write through ${plug}: ${[...proposal.overlay.keys()].join(', ') || 'nothing changed'}`);
}

async function save(d: ConfdbDeps, plug: string): Promise<void> {
  const proposal = await propose(d, plug);
  if (proposal.overlay.size === 0) return;
  if (proposal.deployment !== undefined) await writeFileAtomic(confdbDeploymentFile(d), proposal.deployment, { mode: 0o600 });
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (const [k, v] of proposal.persist) {
    if (v === undefined) unset.push(k);
    else set[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  await d.snapctl.set(set);
  await d.snapctl.unset(...unset);
  // The overlay too: configure must see this write whatever snapd's hook transaction shows.
  await configure(d, { overlay: proposal.overlay });
  d.logger.info(`applied a write through ${plug}: ${[...proposal.overlay.keys()].join(', ')}`);
}

/** What the transaction wrote through this plug, as snap options. */
async function propose(d: ConfdbDeps, plug: string): Promise<Proposal> {
  if (plug === 'control-runtime') {
    const [now, before] = await Promise.all([d.snapctl.getView(plug), d.snapctl.getView(plug, { previous: true })]);
    const write = runtimeWrite(changedRequests(flattenView(now), flattenView(before)));
    const overlay = new Map(write.options);
    let deployment: string | undefined;
    if (write.deployment === null) {
      overlay.set('deployment-file', undefined);
    } else if (write.deployment !== undefined) {
      if (Buffer.byteLength(write.deployment) > DEPLOYMENT_MAX) throw new OptionError(`deployment: the manifest is larger than ${DEPLOYMENT_MAX} bytes`);
      deployment = checkDeployment(write.deployment);
      overlay.set('deployment-file', confdbDeploymentFile(d));
    }
    return { overlay, persist: new Map(overlay), deployment };
  }
  if (plug === 'control-provisioning') {
    const now = await d.snapctl.getView(CUSTODIAN_PLUG);
    const cs = (now.provisioning as Record<string, unknown> | undefined)?.['connection-string'];
    if (typeof cs !== 'string') return { overlay: new Map(), persist: new Map() };
    checkConnectionString('connection-string', cs);
    return { overlay: new Map([['connection-string', cs]]), persist: new Map() };
  }
  throw new OptionError(`${plug} cannot be written`, { hint: 'observe-device and observe-modules are read-only' });
}

async function load(d: ConfdbDeps, plug: string): Promise<void> {
  if (plug === 'control-runtime') {
    const options = flattenOptions(await d.snapctl.getAll(topLevelKeys()));
    const values = runtimeView(options, await ourDeployment(d, options), (await readIfExists(lastRefusalFile(d)))?.trim());
    // Every request set (null unsets): a value unset since snapd's last copy must not come back.
    await d.snapctl.setView(CUSTODIAN_PLUG, underStorage('runtime', values));
    return;
  }
  if (plug === 'observe-modules') {
    const [live, reported] = await Promise.all([d.edged.modules(), readReported(d)]);
    const rows = modulesView(live, reported);
    // snapd 2.77 refuses an empty list ("cannot set empty container") and the read would fail with
    // this hook's error: no modules is the request unset, which a reader sees as "no data".
    await d.snapctl.setView(CUSTODIAN_PLUG, { modules: rows.length > 0 ? rows : null });
    return;
  }
  if (plug === 'observe-device') {
    const text = await readIfExists(d.paths.configFile);
    let config;
    try {
      config = text === undefined ? undefined : parseSuperConfig(text, { home: d.paths.edgedHome, source: 'config.toml', dropInDir: null });
    } catch {
      config = undefined;
    }
    const states = await d.snapctl.serviceStates([`${d.snapName}.dockerd`, `${d.snapName}.iotedged`]);
    const edgedVersion = await d.edged.version().catch(() => undefined);
    const view = deviceView({
      config,
      services: { dockerd: states[`${d.snapName}.dockerd`]?.active ?? false, iotedged: states[`${d.snapName}.iotedged`]?.active ?? false },
      edgedVersion,
      reported: await readReported(d),
      snapVersion: d.snapVersion,
    });
    await d.snapctl.setView(CUSTODIAN_PLUG, underStorage('device', view));
    return;
  }
  throw new Error(`no load-view for plug ${plug}`);
}

/** The manifest written through the view, when deployment-file still names our copy. */
async function ourDeployment(d: HookDeps, options: Map<string, unknown>): Promise<unknown> {
  if (options.get('deployment-file') !== confdbDeploymentFile(d)) return undefined;
  const text = await readIfExists(confdbDeploymentFile(d));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readReported(d: HookDeps): Promise<ReportedSummary | undefined> {
  try {
    return JSON.parse(await fs.readFile(d.paths.edgedReportedState, 'utf8')) as ReportedSummary;
  } catch {
    return undefined;
  }
}
