/** POST /device/reprovision on the management API (upstream's `iotedge system reprovision`). */
import { apiError, API_VERSION } from '../management-client';
import { parseHost } from '../host';
import { readBody, send } from '../http';

export async function reprovision(host: string, signal?: AbortSignal): Promise<void> {
  const res = await send(parseHost(host), { method: 'POST', path: `/device/reprovision?api-version=${API_VERSION}`, signal });
  const body = await readBody(res);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw apiError(status, body);
}
