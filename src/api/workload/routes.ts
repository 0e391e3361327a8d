/**
 * The workload API, as upstream's edgelet-http-workload serves it to modules: sign with the
 * module's key, encrypt/decrypt with the master encryption key (AAD = module name + generation
 * id), server and identity certificates from the Edge CA, the trust bundles, and the module list.
 */
import { BadRequestError, EdgeError } from '../../errors';
import { hmacSha256 } from '../../identity/sas';
import type { IssuedCertificate } from '../../certs/module-certs';
import type { ModuleRuntime } from '../../runtime/types';
import { listModuleDetails } from '../management/module-details';
import type { ModuleStatusOverlay } from '../management/context';
import type { ApiDefinition, ApiRequest, Route } from '../http/types';
import { optionalString } from '../http/body';
import { isObject } from '../../util/is-object';
import { checkGenerationId, checkModuleId } from '../../runtime/module-name';

const NAME = { name: checkModuleId };
const NAME_GENID = { ...NAME, genid: checkGenerationId };

/** Upstream accepts every api-version of its enum on the workload socket (edgeAgent sends 2022-08-03). */
export const WORKLOAD_API_VERSIONS = [
  '2018-06-28',
  '2019-01-30',
  '2019-10-22',
  '2019-11-05',
  '2020-07-07',
  '2020-10-10',
  '2021-12-07',
  '2022-08-03',
] as const;

export const WORKLOAD_SINCE = { manifestTrustBundle: '2020-07-07' } as const;

/** What the workload API needs; the identity component provides it. */
export interface WorkloadDeps {
  runtime: Pick<ModuleRuntime, 'list'>;
  /** The module's primary key (derived from the master identity key and its generation id). */
  moduleKey(moduleId: string): Promise<Buffer>;
  encrypt(plaintext: Buffer, iv: Buffer, aad: Buffer): Promise<Buffer>;
  decrypt(ciphertext: Buffer, iv: Buffer, aad: Buffer): Promise<Buffer>;
  serverCertificate(moduleId: string, commonName: string, expiration?: string): Promise<IssuedCertificate>;
  identityCertificate(moduleId: string, expiration?: string): Promise<IssuedCertificate>;
  trustBundle(): Promise<string>;
  manifestTrustBundle(): Promise<string>;
  moduleStatus?: (name: string) => ModuleStatusOverlay | undefined;
}

export interface WorkloadApiOptions {
  /** The module whose own socket this is: requests on behalf of another module are refused. */
  boundModule?: string;
}

export function workloadApi(deps: WorkloadDeps, options: WorkloadApiOptions = {}): ApiDefinition {
  const authorize = (req: ApiRequest): string => {
    const name = req.params.name;
    if (options.boundModule !== undefined && name.replace(/^\$/, '') !== options.boundModule) {
      throw new EdgeError(`module ${options.boundModule} may not act on behalf of ${name}`, {
        httpStatus: 403,
        hint: `use the name of the module this socket belongs to (${options.boundModule})`,
      });
    }
    return name;
  };
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/modules',
      handler: async () => ({ status: 200, body: await listModuleDetails(deps) }),
    },
    {
      method: 'POST',
      path: '/modules/{name}/genid/{genid}/sign',
      params: NAME_GENID,
      handler: async (req) => {
        const name = authorize(req);
        const body = await objectBody(req);
        if (body.algo !== undefined && body.algo !== 'HMACSHA256') {
          throw new BadRequestError(`algo ${JSON.stringify(body.algo)} is not supported`, { hint: 'use HMACSHA256' });
        }
        const data = base64Field(body, 'data');
        const key = await deps.moduleKey(name);
        return { status: 200, body: { digest: hmacSha256(key, data).toString('base64') } };
      },
    },
    {
      method: 'POST',
      path: '/modules/{name}/genid/{genid}/encrypt',
      params: NAME_GENID,
      handler: async (req) => {
        const name = authorize(req);
        const body = await objectBody(req);
        const plaintext = base64Field(body, 'plaintext');
        const iv = base64Field(body, 'initializationVector');
        const ciphertext = await deps.encrypt(plaintext, iv, Buffer.from(name + req.params.genid));
        return { status: 200, body: { ciphertext: ciphertext.toString('base64') } };
      },
    },
    {
      method: 'POST',
      path: '/modules/{name}/genid/{genid}/decrypt',
      params: NAME_GENID,
      handler: async (req) => {
        const name = authorize(req);
        const body = await objectBody(req);
        const ciphertext = base64Field(body, 'ciphertext');
        const iv = base64Field(body, 'initializationVector');
        const plaintext = await deps.decrypt(ciphertext, iv, Buffer.from(name + req.params.genid));
        return { status: 200, body: { plaintext: plaintext.toString('base64') } };
      },
    },
    {
      method: 'POST',
      path: '/modules/{name}/genid/{genid}/certificate/server',
      params: NAME_GENID,
      handler: async (req) => {
        const name = authorize(req);
        const body = await objectBody(req);
        if (typeof body.commonName !== 'string' || !body.commonName) {
          throw new BadRequestError('"commonName" must be a non-empty string', { hint: 'send the host name the module serves on' });
        }
        const expiration = optionalString(body, 'expiration');
        return { status: 201, body: certificateResponse(await deps.serverCertificate(name, body.commonName, expiration)) };
      },
    },
    {
      method: 'POST',
      path: '/modules/{name}/certificate/identity',
      params: NAME,
      handler: async (req) => {
        const name = authorize(req);
        const body = (await req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
        const expiration = body && typeof body === 'object' ? optionalString(body, 'expiration') : undefined;
        return { status: 201, body: certificateResponse(await deps.identityCertificate(name, expiration)) };
      },
    },
    {
      method: 'GET',
      path: '/trust-bundle',
      handler: async () => ({ status: 200, body: { certificate: await deps.trustBundle() } }),
    },
    {
      method: 'GET',
      path: '/manifest-trust-bundle',
      since: WORKLOAD_SINCE.manifestTrustBundle,
      handler: async () => ({ status: 200, body: { certificate: await deps.manifestTrustBundle() } }),
    },
  ];
  return { name: 'workload', versions: WORKLOAD_API_VERSIONS, routes };
}

/** Upstream's CertificateResponse: the key as PEM bytes (`type: key`), the certificate chain as PEM. */
function certificateResponse(issued: IssuedCertificate) {
  return {
    privateKey: { type: 'key', bytes: issued.privateKey },
    certificate: issued.certificate,
    expiration: issued.expiration,
  };
}

async function objectBody(req: ApiRequest): Promise<Record<string, unknown>> {
  const body = await req.json();
  if (!isObject(body)) {
    throw new BadRequestError('missing request body', { hint: 'send a JSON object' });
  }
  return body;
}

function base64Field(body: Record<string, unknown>, key: string): Buffer {
  const v = body[key];
  if (typeof v !== 'string') throw new BadRequestError(`"${key}" must be a base64 string`);
  const stripped = v.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(stripped) || stripped.length % 4 === 1) {
    throw new BadRequestError(`"${key}" is not valid base64`);
  }
  return Buffer.from(v, 'base64');
}
