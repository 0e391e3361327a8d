/**
 * A private, real Docker engine per test file: its own socket, data-root and address pool, so
 * suites run in parallel without seeing each other's containers. Images are built locally from
 * busybox-static; nothing is ever pulled from outside.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';

const ROOT = path.resolve(__dirname, '..', '..');
const DOCKERD_SH = path.join(ROOT, 'test', 'env', 'dockerd.sh');
const BUILD_IMAGES_SH = path.join(ROOT, 'test', 'env', 'build-images.sh');

export interface TestEngine {
  dir: string;
  /** unix:///.../docker.sock */
  host: string;
  socketPath: string;
  docker: Docker;
  /** Builds busybox-based images with these tags (default edge-test/busybox:1). */
  buildImages(...tags: string[]): void;
  /** Runs the docker CLI against this engine and returns stdout. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

let counter = 0;

export async function startTestEngine(options: { images?: string[] } = {}): Promise<TestEngine> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-engine-'));
  // A /16 of our own for this engine's networks: pid and a counter keep parallel suites apart.
  const octet = 100 + ((process.pid * 7 + counter++ * 13) % 150);
  const host = execFileSync(DOCKERD_SH, ['start', dir, String(octet)], {
    encoding: 'utf8',
    env: { ...process.env, SHUTDOWN_TIMEOUT: '2' },
  }).trim();
  const socketPath = host.replace(/^unix:\/\//, '');
  const docker = new Docker({ socketPath });
  const env = { ...process.env, DOCKER_HOST: host };
  const engine: TestEngine = {
    dir,
    host,
    socketPath,
    docker,
    buildImages: (...tags) => {
      execFileSync(BUILD_IMAGES_SH, tags, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    },
    cli: (...args) => execFileSync('/usr/bin/docker', args, { env, encoding: 'utf8' }),
    stop: async () => {
      execFileSync(DOCKERD_SH, ['stop', dir]);
      execFileSync('rm', ['-rf', dir]);
    },
  };
  engine.buildImages(...(options.images ?? ['edge-test/busybox:1']));
  return engine;
}
