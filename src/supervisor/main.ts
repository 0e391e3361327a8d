/**
 * Entry point of the snap's services (`bin/snap-service dockerd|iotedged`): wiring only.
 * SIGTERM/SIGINT abort the loop, which stops the child cleanly; exit 153 when edged's settings
 * are wrong (snapcraft.yaml lists 153 as a success exit status, so systemd does not loop).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { BadRequestError, ExitCode, exitCodeOf, formatError } from '../errors';
import { loadSuperConfigFile } from '../config/load';
import { systemSnapctl } from '../snap/exec';
import { snapPathsFromEnv } from '../snap/paths';
import { Snapctl } from '../snap/snapctl';
import { systemClock } from '../util/clock';
import { createLogger, isLogLevel, type LogLevel } from '../util/log';
import { unixSocketPath } from '../util/unix-uri';
import { ensureBridge } from '../snap/engine/bridge';
import { runDockerdService } from './dockerd-service';
import { fileLastWriter, healthBoard, snapHealth } from './health';
import { runIotedgedService } from './iotedged-service';
import { dockerPing, edgedAnswers } from './probes';
import { procTable } from './adopt';
import { announceSupervisor, watchSibling } from './sibling-watch';
import { processSpawner } from './spawner';
import type { Outcome } from './supervise';

/** The services' snapctl calls (get, set-health) answer in well under a second when snapd runs. */
const SNAPCTL_TIMEOUT_MS = 10_000;
const EDGED_ENTRY = path.resolve(__dirname, '..', '..', 'bin', 'edged');

export async function run(argv: string[]): Promise<void> {
  const service = argv[0];
  const env = process.env;
  const snapctl = new Snapctl(systemSnapctl(undefined, SNAPCTL_TIMEOUT_MS));
  const level = await logLevel(snapctl);
  const logger = createLogger({ level, component: service });
  const ctl = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => ctl.abort());
  const watch = new AbortController();
  let watching: Promise<void> | undefined;
  try {
    const paths = snapPathsFromEnv(env);
    if (service !== 'dockerd' && service !== 'iotedged') throw new BadRequestError(`unknown service "${service}"`, { hint: 'expected dockerd or iotedged' });
    // Both services compose one health, so each drops what either has already set.
    const sink = snapHealth(snapctl, logger, { owner: 'board', lastWriter: fileLastWriter(path.join(paths.runDir, 'health-last')) });
    const health = healthBoard({
      owner: service,
      dir: path.join(paths.runDir, 'health'),
      sink,
      reportedStateFile: paths.edgedReportedState,
      provisioningErrorFile: paths.provisioningError,
      logger,
    });
    // Each supervisor watches the other's (a stopped one is killed, so systemd restarts it).
    await announceSupervisor(paths.runDir, service).catch((e: Error) => logger.warn(`the other supervisor cannot watch this one: ${e.message}`));
    ctl.signal.addEventListener('abort', () => watch.abort(), { once: true });
    watching = watchSibling({ runDir: paths.runDir, service, procs: procTable, clock: systemClock, signal: watch.signal, logger });
    let outcome: Outcome;
    if (service === 'dockerd') {
      outcome = await runDockerdService({
        paths,
        spawner: processSpawner,
        clock: systemClock,
        logger,
        signal: ctl.signal,
        health,
        ensureBridge: (name) => ensureBridge(name),
        dockerdBinary: firstExisting([`${paths.snap}/usr/sbin/dockerd`, `${paths.snap}/usr/bin/dockerd`]) ?? 'dockerd',
        containerdBinary: firstExisting([`${paths.snap}/usr/bin/containerd`]) ?? 'containerd',
        env: withSnapLibraries(env),
      });
    } else {
      const config = await loadSuperConfigFile(paths.configFile, { home: paths.edgedHome }).catch(() => undefined);
      const mgmt = unixSocketPath(config?.listen.management_uri) ?? paths.mgmtSock;
      outcome = await runIotedgedService({
        spawner: processSpawner,
        clock: systemClock,
        logger,
        signal: ctl.signal,
        health,
        command: process.execPath,
        // log-level: the snap option (`snap set` or `iotedge system set-log-level`), read at each start.
        args: [EDGED_ENTRY, '--config', paths.configFile, '--home', paths.edgedHome, '--log-level', level],
        env: { ...env, DOCKER_HOST: `unix://${paths.dockerSock}` },
        engineProbe: dockerPing(paths.dockerSock),
        edgedProbe: edgedAnswers(mgmt),
      });
    }
    if (outcome.kind === 'stopped') await health.clear();
    process.exitCode = outcome.kind === 'fatal' ? ExitCode.badConfig : ExitCode.ok;
  } catch (e) {
    logger.error(formatError(e));
    process.exitCode = exitCodeOf(e);
  } finally {
    watch.abort();
    await watching;
  }
}

async function logLevel(snapctl: Snapctl): Promise<LogLevel> {
  const v = (await snapctl.get('log-level').catch(() => '')) || process.env.AZIOT_LOG_LEVEL || 'info';
  return isLogLevel(v) ? v : 'info';
}

function firstExisting(files: string[]): string | undefined {
  return files.find((f) => existsSync(f));
}

/** Staged libraries of the engine part (libdevmapper, xtables) for dockerd, containerd, runc, iptables. */
function withSnapLibraries(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const snap = env.SNAP ?? '';
  const arch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const libs = [`${snap}/usr/lib/${arch}`, `${snap}/lib/${arch}`];
  const ld = [...libs, ...(env.LD_LIBRARY_PATH ? [env.LD_LIBRARY_PATH] : [])].join(':');
  const xtables = `${snap}/usr/lib/${arch}/xtables`;
  // dockerd finds containerd, runc, docker-init, docker-proxy and iptables on PATH: the snap's first.
  const bins = ['usr/sbin', 'usr/bin', 'sbin', 'bin'].map((d) => `${snap}/${d}`);
  const pathVar = [...bins, env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'].join(':');
  return { ...env, PATH: pathVar, LD_LIBRARY_PATH: ld, ...(existsSync(xtables) ? { XTABLES_LIBDIR: xtables } : {}) };
}
