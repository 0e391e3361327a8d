/**
 * Device Provisioning Service registration, as upstream: PUT
 * `{endpoint}/{idScope}/registrations/{registrationId}/register`, then GET
 * `.../operations/{operationId}` until the device is assigned, failed, or the time is up.
 */
import { ConfigError, EdgeError, UnavailableError } from '../../errors';
import { Clock, systemClock } from '../../util/clock';
import type { DeviceCredentials } from '../provisioning/plan';
import { dpsAudience, percentEncode, sasToken } from '../sas';
import { CloudOptions, CloudResponse, cloudRequest, errorMessageOf } from './https';

export const DPS_API_VERSION = '2019-03-31';
const TOKEN_TTL_SECONDS = 30;

export interface DpsRegistration {
  globalEndpoint: string;
  idScope: string;
  registrationId: string;
  credentials: DeviceCredentials;
  payload?: unknown;
}

export interface DpsAssignment {
  assignedHub: string;
  deviceId: string;
  payload?: unknown;
}

export interface DpsOptions extends CloudOptions {
  /** Between status polls (upstream: 5 s). */
  pollIntervalMs?: number;
  /** Gives up after this long (default 120 s). */
  provisioningTimeoutMs?: number;
}

export async function registerWithDps(reg: DpsRegistration, options: DpsOptions): Promise<DpsAssignment> {
  const clock: Clock = options.clock ?? systemClock;
  const base = reg.globalEndpoint.replace(/\/+$/, '');
  const prefix = `${base}/${percentEncode(reg.idScope)}/registrations/${percentEncode(reg.registrationId)}`;
  // A token lives 30 s and polling may take minutes: each request is signed when it is sent.
  const credentials = reg.credentials;
  const headers = (): Record<string, string> =>
    credentials.type === 'sas'
      ? {
          Authorization: sasToken({
            audience: dpsAudience(reg.idScope, reg.registrationId),
            key: credentials.key,
            expiry: Math.floor(clock.now() / 1000) + TOKEN_TTL_SECONDS,
            keyName: 'registration',
          }),
        }
      : {};
  const tls =
    reg.credentials.type === 'x509' ? { ...options.tls, cert: reg.credentials.certPem, key: reg.credentials.keyPem } : options.tls;
  const cloud = { ...options, tls };

  const body: Record<string, unknown> = { registrationId: reg.registrationId };
  if (reg.payload !== undefined) body.payload = reg.payload;
  const started = clock.now();
  const registered = await cloudRequest(
    { method: 'PUT', url: `${prefix}/register?api-version=${DPS_API_VERSION}`, headers: headers(), body },
    cloud,
  );
  check(registered, 'register');
  let state = registered.json as OperationStatus;
  if (!state?.operationId) throw new EdgeError('DPS answered the registration without an operationId', { httpStatus: 502 });
  const operationUrl = `${prefix}/operations/${percentEncode(state.operationId)}?api-version=${DPS_API_VERSION}`;
  const deadline = started + (options.provisioningTimeoutMs ?? 120_000);

  for (;;) {
    const outcome = assignmentOf(state);
    if (outcome) return outcome;
    if (clock.now() + (options.pollIntervalMs ?? 5000) > deadline) {
      throw new UnavailableError(`DPS did not assign registration ${reg.registrationId} in time`, {
        hint: 'check the enrollment in DPS; edged tries again on its next start',
      });
    }
    await clock.sleep(options.pollIntervalMs ?? 5000);
    const polled = await cloudRequest({ method: 'GET', url: operationUrl, headers: headers() }, cloud);
    check(polled, 'poll');
    state = polled.json as OperationStatus;
  }
}

interface OperationStatus {
  operationId?: string;
  status?: 'assigning' | 'assigned' | 'failed' | 'disabled' | 'unassigned' | string;
  registrationState?: { assignedHub?: string; deviceId?: string; payload?: unknown; errorMessage?: string; errorCode?: number };
}

function assignmentOf(state: OperationStatus): DpsAssignment | undefined {
  const status = state?.status;
  if (status === 'assigned') {
    const rs = state.registrationState;
    if (!rs?.assignedHub || !rs.deviceId) throw new EdgeError('DPS assigned the device without a hub or device id', { httpStatus: 502 });
    return { assignedHub: rs.assignedHub, deviceId: rs.deviceId, payload: rs.payload };
  }
  if (status === 'failed' || status === 'disabled') {
    const why = state.registrationState?.errorMessage ?? status;
    throw new ConfigError(`DPS registration ${status}: ${why}`, { hint: 'check the enrollment and its attestation in DPS' });
  }
  return undefined;
}

function check(res: CloudResponse, action: string): void {
  if (res.status >= 200 && res.status < 300) return;
  const message = `DPS refused to ${action} the registration: ${errorMessageOf(res)} (HTTP ${res.status})`;
  if (res.status === 401 || res.status === 403 || res.status === 404) {
    throw new ConfigError(message, { hint: 'check provisioning.id_scope, the registration id and its key or certificate' });
  }
  throw new UnavailableError(message, { hint: 'edged tries again on its next start' });
}
