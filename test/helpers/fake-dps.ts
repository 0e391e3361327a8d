/**
 * A fake Device Provisioning Service: register answers 202 with an operation, which reports
 * "assigning" for a set number of polls and then the assignment. SAS tokens (skn=registration)
 * or the TLS client certificate are checked; every request is recorded.
 */
import { FakeServer, TestTls, checkSas, startFakeHttps } from './fake-iothub';

export interface FakeDpsOptions {
  tls: TestTls;
  idScope: string;
  /** Registration id → its key (symmetric key attestation); absent: X.509 expected. */
  keys?: Record<string, Buffer>;
  assignedHub: string;
  /** Registration id → device id (default: the registration id). */
  deviceIds?: Record<string, string>;
  /** How many polls answer "assigning" before "assigned" (default 1). */
  pollsBeforeAssigned?: number;
  fail?: string;
  /** Polls (1-based, counting every GET of the operation) left unanswered, as a network failure. */
  hangPolls?: number[];
  /** The time SAS tokens are checked against (default: the real clock). */
  now?: () => number;
}

export async function startFakeDps(options: FakeDpsOptions): Promise<FakeServer & { registrations: string[] }> {
  const registrations: string[] = [];
  const polls = new Map<string, number>();
  const server = await startFakeHttps(options.tls, (req) => {
    const m = /^\/([^/]+)\/registrations\/([^/]+)\/(register|operations\/([^/]+))$/.exec(req.path);
    if (!m || decodeURIComponent(m[1]) !== options.idScope) return { status: 404, body: { errorCode: 404, message: 'not found' } };
    if (!req.query.get('api-version')) return { status: 400, body: { errorCode: 400, message: 'api-version' } };
    const regId = decodeURIComponent(m[2]);
    const key = options.keys?.[regId];
    if (key) {
      const why = checkSas(req.headers.authorization as string | undefined, {
        audience: `${options.idScope}/registrations/${regId}`,
        key,
        keyName: 'registration',
        now: options.now,
      });
      if (why) return { status: 401, body: { errorCode: 401002, message: `Unauthorized: ${why}` } };
    } else if (req.clientCn !== regId) {
      return { status: 401, body: { errorCode: 401002, message: 'client certificate does not match' } };
    }
    if (m[3] === 'register') {
      if (req.method !== 'PUT') return { status: 405, body: { message: 'method' } };
      registrations.push(regId);
      const operationId = `op-${regId}-${registrations.length}`;
      polls.set(operationId, 0);
      return { status: 202, body: { operationId, status: 'assigning' } };
    }
    const operationId = decodeURIComponent(m[4]);
    const count = (polls.get(operationId) ?? 0) + 1;
    polls.set(operationId, count);
    if (options.hangPolls?.includes(count)) return 'hang';
    if (options.fail) return { status: 200, body: { operationId, status: 'failed', registrationState: { registrationId: regId, status: 'failed', errorMessage: options.fail } } };
    if (count <= (options.pollsBeforeAssigned ?? 1)) return { status: 202, body: { operationId, status: 'assigning' } };
    return {
      status: 200,
      body: {
        operationId,
        status: 'assigned',
        registrationState: { registrationId: regId, assignedHub: options.assignedHub, deviceId: options.deviceIds?.[regId] ?? regId, status: 'assigned' },
      },
    };
  });
  return { ...server, registrations };
}
