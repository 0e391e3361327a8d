/** Pulling an image: the progress stream is read to its end, and an error inside it fails the pull. */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { EdgeError } from '../../errors';
import type { DockerConfig, RegistryAuth } from '../types';
import { engineMessage, isUnreachable, engineUnavailable } from './errors';

interface ProgressEvent {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

export async function pullImage(docker: Docker, config: DockerConfig, endpoint: string): Promise<void> {
  const image = config.image;
  let stream: Readable;
  try {
    const opts = config.auth ? { authconfig: authConfig(config.auth) } : {};
    stream = (await docker.pull(image, opts)) as Readable;
  } catch (e) {
    if (isUnreachable(e)) throw engineUnavailable(endpoint, e);
    throw pullError(image, engineMessage(e), e);
  }
  const failure = await readProgress(stream);
  if (failure) throw pullError(image, failure);
}

function pullError(image: string, reason: string, cause?: unknown): EdgeError {
  const auth = /unauthorized|authentication required|no basic auth|denied/i.test(reason);
  return new EdgeError(`Could not pull image ${image}: ${reason}`, {
    hint: auth
      ? 'Check the registry credentials in the deployment (username, password, address)'
      : 'Check the image name and that its registry is reachable',
    cause,
    httpStatus: 500,
  });
}

/** Docker's registry auth object; only set fields are sent. */
function authConfig(auth: RegistryAuth): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(auth)) if (typeof v === 'string' && v !== '') out[k] = v;
  return out;
}

/** Resolves with the first error message found in the stream, or undefined when the pull succeeded. */
function readProgress(stream: Readable): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let failure: string | undefined;
    const onLine = (line: string) => {
      if (!line.trim() || failure) return;
      try {
        const event = JSON.parse(line) as ProgressEvent;
        if (event.error || event.errorDetail?.message) failure = event.errorDetail?.message ?? event.error;
      } catch {
        // Not JSON: ignore, the engine only ever sends JSON lines here.
      }
    };
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    stream.once('end', () => {
      onLine(buffer);
      resolve(failure);
    });
    stream.once('error', reject);
  });
}
