/** The engine's diagnostics (runtime/engine.ts) from Docker's API, through the one dockerode factory. */
import type { EngineConnect, EngineDiagnostics } from '../engine';
import { createDockerClient } from './client';

export const dockerDiagnostics: EngineConnect = (uri, { timeoutMs }): EngineDiagnostics => {
  const docker = createDockerClient(uri, { timeoutMs });
  return {
    info: async () => (await docker.info()) as Record<string, unknown>,
    version: async () => ({ ...(await docker.version()) }),
    async hasImage(image) {
      try {
        await docker.getImage(image).inspect();
        return true;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return false;
        throw e;
      }
    },
  };
};
