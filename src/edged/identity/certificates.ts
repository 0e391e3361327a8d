/**
 * The Edge CA and the module certificates it signs: ensured at start, checked for renewal every
 * hour (and at each issuance) until the signal ends the loop.
 */
import { EdgeCa } from '../../certs/edge-ca';
import type { KeySource } from '../../certs/keygen';
import { ModuleCertificates } from '../../certs/module-certs';
import type { SuperConfig } from '../../config/types';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';

/** How often a quickstart Edge CA is checked for renewal (it is also checked at each issuance). */
export const EDGE_CA_CHECK_MS = 3_600_000;

export interface CertificateInputs {
  home: string;
  settings: SuperConfig['edge_ca'];
  deviceId: string;
  keySource: KeySource;
  clock: Clock;
  logger: Logger;
  /** Called after a renewal: modules hold certificates of the old chain. */
  onRenewed: () => void;
}

/** The Edge CA, ensured (created or renewed as needed), and the issuer of module certificates. */
export async function edgeCertificates(input: CertificateInputs): Promise<{ ca: EdgeCa; certs: ModuleCertificates }> {
  const { home, settings, deviceId, clock, logger, onRenewed } = input;
  const ca = new EdgeCa({ home, settings, deviceId, clock, logger, onRenewed });
  await ca.ensure();
  return { ca, certs: new ModuleCertificates(ca, input.keySource, clock) };
}

/** Checks the Edge CA every EDGE_CA_CHECK_MS until `signal` aborts; a failed check is a warning. */
export async function checkEdgeCaPeriodically(ca: EdgeCa, clock: Clock, signal: AbortSignal, log: Logger): Promise<void> {
  while (!signal.aborted) {
    await clock.sleep(EDGE_CA_CHECK_MS, signal).catch(() => undefined);
    if (!signal.aborted) await ca.ensure().catch((e: Error) => log.warn(`Edge CA check: ${e.message}`));
  }
}
