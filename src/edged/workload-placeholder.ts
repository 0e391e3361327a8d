/** Until a workload component is present, the workload socket exists and says why it cannot help. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../api/http/errors';

/** As the real shared workload socket: edged's user only. */
export const WORKLOAD_SOCKET_MODE = 0o600;

export function workloadPlaceholder(): { listener: (req: IncomingMessage, res: ServerResponse) => void } {
  return {
    listener: (req, res) => {
      req.resume();
      sendJson(res, 501, {
        message:
          'the workload API is not available: this edged runs no identity/workload component. Configure [provisioning] in config.toml',
      });
    },
  };
}
