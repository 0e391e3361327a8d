/**
 * HTTP over a unix socket made by another process: node inside a container (`docker exec -u`),
 * or on the host as another user (`setpriv`), so that the socket's and directories' permissions
 * are what decides. Asynchronous, since edged answers in the test's own process.
 */
import { execFile } from 'node:child_process';

/** The host's node and its libraries, read-only: a client that speaks HTTP over a unix socket from inside. */
export const NODE_BINDS = ['/usr:/usr:ro', '/usr/lib:/lib:ro', '/usr/lib64:/lib64:ro'];

export type Answer = { status: number; body: string } | { error: string };

const SCRIPT = `
const req = require('http').request({ socketPath: process.argv[1], method: process.argv[2], path: process.argv[3], headers: { 'content-type': 'application/json' } }, (res) => {
  let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body: d })));
});
req.on('error', (e) => process.stdout.write(JSON.stringify({ error: e.code })));
req.end(process.argv[4]);`;

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Answer> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { env, timeout: 20_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}: ${stderr}`)) : resolve(JSON.parse(stdout)))),
  );
}

/** From inside a running container, as `user`. */
export function fromInside(dockerHost: string, container: string, socket: string, method: string, urlPath: string, body = '', user = '0'): Promise<Answer> {
  return run('/usr/bin/docker', ['exec', '-u', user, container, '/usr/bin/node', '-e', SCRIPT, socket, method, urlPath, body], { ...process.env, DOCKER_HOST: dockerHost });
}

/** On the host, as uid/gid `id` with no supplementary groups (65534: nobody). */
export function asUser(id: number, socket: string, method: string, urlPath: string, body = ''): Promise<Answer> {
  return run('/usr/bin/setpriv', [`--reuid=${id}`, `--regid=${id}`, '--clear-groups', process.execPath, '-e', SCRIPT, socket, method, urlPath, body], process.env);
}
