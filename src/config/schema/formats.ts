/** String formats of the super-config. Messages never include the value (it may be a secret). */
import type { Format } from './types';
import { isBase64Key } from '../../util/base64';
import { parseCleanupTime, parseDuration, parseRecurrence } from '../image-gc';

export type FormatProblem = { kind: 'error' | 'unsupported'; reason: string };

export function checkFormat(format: Format, value: string): FormatProblem | undefined {
  switch (format) {
    case 'uri':
      return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value) && canParseUrl(value)
        ? undefined
        : { kind: 'error', reason: 'expected a URI such as "file:///path" or "unix:///path"' };
    case 'key-location':
      if (value.startsWith('pkcs11:')) return { kind: 'unsupported', reason: 'PKCS#11 keys: this appliance keeps keys in files and has no PKCS#11 library; use a file:// URI' };
      return value.startsWith('file://') && canParseUrl(value) ? undefined : { kind: 'error', reason: 'expected a file:// URI of a key file' };
    case 'base64':
      return isBase64Key(value) ? undefined : { kind: 'error', reason: 'expected base64 text (with or without "=" padding)' };
    case 'hostname':
      return /^[A-Za-z0-9]([A-Za-z0-9-_.]{0,252})$/.test(value) ? undefined : { kind: 'error', reason: 'expected a host name (letters, digits, "-", "_" and ".")' };
    case 'duration':
      return accepts(() => parseDuration(value, 'value'), 'expected a duration such as "1d", "12h", "30m" or "1d 12h"');
    case 'whole-days':
      return accepts(() => parseRecurrence(value, 'value'), 'expected a whole number of days such as "1d", "2d" or "1w"');
    case 'time-of-day':
      return accepts(() => parseCleanupTime(value, 'value'), 'expected a time of day "HH:MM" (24-hour)');
    case 'percent': {
      const m = /^(\d{1,3})%$/.exec(value);
      return m && Number(m[1]) > 0 && Number(m[1]) <= 100 ? undefined : { kind: 'error', reason: 'expected a percentage such as "80%"' };
    }
  }
}

/** One parser per notation: the image-GC settings' (src/config/image-gc.ts) decide what the config accepts. */
function accepts(parse: () => unknown, reason: string): FormatProblem | undefined {
  try {
    parse();
    return undefined;
  } catch {
    return { kind: 'error', reason };
  }
}

function canParseUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
