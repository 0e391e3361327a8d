/**
 * After the Edge CA is renewed, modules hold certificates of the old chain: upstream stops every
 * module and starts them again, edgeAgent last so that it does not start them itself meanwhile.
 * Skipped when edgeAgent is not running (the watchdog brings it back first).
 */
import type { ModuleRuntime } from '../../runtime/types';
import type { Logger } from '../../util/log';

export async function restartModulesAfterCaRenewal(
  runtime: Pick<ModuleRuntime, 'get' | 'list' | 'stop' | 'start'>,
  agentName: string,
  logger: Logger,
): Promise<void> {
  try {
    if ((await runtime.get(agentName)).state.status !== 'running') {
      logger.info('Agent not running; skipping module restart after Edge CA renewal');
      return;
    }
  } catch {
    logger.info('Agent not found; skipping module restart after Edge CA renewal');
    return;
  }
  const modules = await runtime.list();
  await Promise.all(modules.map((m) => runtime.stop(m.name).catch((e: Error) => logger.warn(`Edge CA renewal failed to stop ${m.name}: ${e.message}`))));
  logger.info('Edge CA renewal stopped all modules');
  for (const m of modules.filter((m) => m.name !== agentName)) {
    await runtime.start(m.name).then(
      () => logger.info(`Edge CA renewal restarted ${m.name}`),
      (e: Error) => logger.warn(`Edge CA renewal failed to restart ${m.name}: ${e.message}`),
    );
  }
  await runtime.start(agentName).catch((e: Error) => logger.warn(`Edge CA renewal failed to restart ${agentName}: ${e.message}`));
}
