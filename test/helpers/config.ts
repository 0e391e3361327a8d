/** Typed configuration for tests, made as edged makes it: from TOML, through the schema. */
import { parseSuperConfig } from '../../src/config/load';
import type { ManualConnectionString } from '../../src/config/types';

/** `[provisioning]` with a device connection string, parsed (`connection`) as the configuration parses it. */
export function manualProvisioning(connectionString: string): ManualConnectionString {
  const toml = `[provisioning]\nsource = "manual"\nconnection_string = ${JSON.stringify(connectionString)}\n`;
  return parseSuperConfig(toml, { home: '/nonexistent' }).provisioning as ManualConnectionString;
}
