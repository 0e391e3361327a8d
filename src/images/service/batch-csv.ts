/**
 * A batch as CSV, one device a row, with a header naming the columns: name, connectionString,
 * dps.idScope, dps.registrationId, dps.globalEndpoint, hostname, wifi.ssid, wifi.passphrase.
 * Empty cells are absent fields; the devices are then checked like JSON ones.
 */
import { parse } from 'csv-parse/sync';
import { ImageInputError } from '../errors';

const COLUMNS = ['name', 'connectionString', 'dps.idScope', 'dps.registrationId', 'dps.globalEndpoint', 'hostname', 'wifi.ssid', 'wifi.passphrase'];

export function parseBatchCsv(text: string): Record<string, unknown>[] {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new ImageInputError(`the CSV does not parse: ${(e as Error).message.split('\n')[0].slice(0, 200)}`);
  }
  const [header, ...data] = rows;
  if (!header) throw new ImageInputError('the CSV is empty', { hint: `a header row first: ${COLUMNS.join(',')}` });
  const unknown = header.filter((h) => !COLUMNS.includes(h));
  if (unknown.length) throw new ImageInputError(`the CSV has unknown column ${unknown.map((c) => c.slice(0, 40)).join(', ')}`, { hint: `columns: ${COLUMNS.join(', ')}` });
  return data.map((row) => {
    const device: Record<string, unknown> = {};
    header.forEach((col, i) => {
      const v = row[i];
      if (v === undefined || v === '') return;
      const [a, b] = col.split('.');
      if (b) device[a] = { ...((device[a]) ?? {}), [b]: v };
      else device[a] = v;
    });
    return device;
  });
}
