/**
 * IoT Hub's module identity REST API, as upstream's identity service calls it:
 * `/devices/{id}/modules[/{moduleId}]?api-version=2017-11-08-preview`, `If-Match: *` on update and
 * delete, authenticated with a device SAS token (or the device's X.509 certificate on the TLS layer).
 */
import { ConflictError, EdgeError, NotFoundError, UnavailableError } from '../../errors';
import { Clock, systemClock } from '../../util/clock';
import type { DeviceCredentials } from '../provisioning/plan';
import { hubAudience, percentEncode, sasToken } from '../sas';
import { CloudOptions, CloudResponse, cloudRequest, connectHost, errorMessageOf } from './https';

export const HUB_API_VERSION = '2017-11-08-preview';
/** Upstream signs each cloud request with a token valid for 30 s. */
const TOKEN_TTL_SECONDS = 30;

export interface HubDevice {
  hubHostname: string;
  /** Where requests go: the hub itself, or the parent device in a nested setup. */
  gatewayHostname: string;
  deviceId: string;
  credentials: DeviceCredentials;
}

export type HubAuthType = 'none' | 'sas' | 'selfSigned' | 'certificateAuthority';

export interface HubModule {
  moduleId: string;
  deviceId: string;
  generationId?: string;
  managedBy?: string;
  authentication?: {
    symmetricKey?: { primaryKey?: string; secondaryKey?: string };
    x509Thumbprint?: unknown;
    type?: HubAuthType;
  };
}

export class HubClient {
  private readonly clock: Clock;

  constructor(
    readonly device: HubDevice,
    private readonly options: CloudOptions,
    /** Called when IoT Hub no longer accepts the device's credentials (upstream's dynamic reprovisioning hook). */
    private readonly onUnauthorized?: () => void,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async createModule(moduleId: string, managedBy?: string, authentication?: HubModule['authentication']): Promise<HubModule> {
    const res = await this.send('PUT', moduleId, {}, this.body(moduleId, managedBy, authentication));
    return this.expectModule(res, 'create', moduleId);
  }

  async updateModule(moduleId: string, authentication?: HubModule['authentication'], managedBy?: string): Promise<HubModule> {
    const res = await this.send('PUT', moduleId, { 'If-Match': '*' }, this.body(moduleId, managedBy, authentication));
    return this.expectModule(res, 'update', moduleId);
  }

  async getModule(moduleId: string): Promise<HubModule> {
    return this.expectModule(await this.send('GET', moduleId), 'get', moduleId);
  }

  /** One attempt of at most `capMs` (and cloud_timeout_sec), for callers that have a fallback. */
  async getModuleQuickly(moduleId: string, capMs: number): Promise<HubModule> {
    const budget = { timeoutMs: Math.min(this.options.timeoutMs, capMs), retries: 0 };
    return this.expectModule(await this.send('GET', moduleId, {}, undefined, budget), 'get', moduleId);
  }

  async listModules(): Promise<HubModule[]> {
    const res = await this.send('GET', undefined);
    this.check(res, 'list', 'modules');
    if (!Array.isArray(res.json)) throw this.invalid('list', 'modules');
    return res.json as HubModule[];
  }

  async deleteModule(moduleId: string): Promise<void> {
    const res = await this.send('DELETE', moduleId, { 'If-Match': '*' });
    this.check(res, 'delete', moduleId);
  }

  private body(moduleId: string, managedBy?: string, authentication?: HubModule['authentication']): HubModule {
    const body: HubModule = { moduleId, deviceId: this.device.deviceId };
    if (managedBy !== undefined) body.managedBy = managedBy;
    if (authentication !== undefined) body.authentication = authentication;
    return body;
  }

  private async send(
    method: 'GET' | 'PUT' | 'DELETE',
    moduleId?: string,
    headers: Record<string, string> = {},
    body?: unknown,
    budget?: Pick<CloudOptions, 'timeoutMs' | 'retries'>,
  ) {
    const { device } = this;
    let path = `/devices/${percentEncode(device.deviceId)}/modules`;
    if (moduleId !== undefined) path += `/${percentEncode(moduleId)}`;
    const creds = device.credentials;
    const auth: Record<string, string> = {};
    if (creds.type === 'sas') {
      auth.Authorization = sasToken({
        audience: hubAudience(device.hubHostname, device.deviceId),
        key: creds.key,
        expiry: Math.floor(this.clock.now() / 1000) + TOKEN_TTL_SECONDS,
      });
    }
    const tls = creds.type === 'x509' ? { ...this.options.tls, cert: creds.certPem, key: creds.keyPem } : this.options.tls;
    return cloudRequest(
      { method, url: `https://${connectHost(device.gatewayHostname, this.options)}${path}?api-version=${HUB_API_VERSION}`, headers: { ...auth, ...headers }, body },
      { ...this.options, ...budget, tls },
    );
  }

  private expectModule(res: CloudResponse, action: string, moduleId: string): HubModule {
    this.check(res, action, moduleId);
    const m = res.json as HubModule | undefined;
    if (!m || typeof m.moduleId !== 'string') throw this.invalid(action, moduleId);
    return m;
  }

  private check(res: CloudResponse, action: string, what: string): void {
    if (res.status >= 200 && res.status < 300) return;
    const message = `IoT Hub refused to ${action} module identity ${what}: ${errorMessageOf(res)} (HTTP ${res.status})`;
    if (res.status === 404) throw new NotFoundError(message, { hint: 'check that the module identity exists on this device' });
    if (res.status === 409 || res.status === 412) throw new ConflictError(message, { hint: 'the identity already exists or changed meanwhile' });
    if (res.status === 401 || res.status === 403) {
      if (res.status === 401) this.onUnauthorized?.();
      throw new EdgeError(message, { httpStatus: res.status, hint: 'check the device credentials in [provisioning]' });
    }
    // A parent edgeHub reports its own network failures as 500.
    if (res.status >= 500) throw new UnavailableError(message, { hint: 'IoT Hub (or the parent device) is not reachable; edged retries' });
    throw new EdgeError(message, { httpStatus: res.status });
  }

  private invalid(action: string, what: string): EdgeError {
    return new EdgeError(`IoT Hub answered the ${action} of ${what} with an unexpected body`, { httpStatus: 502 });
  }
}
