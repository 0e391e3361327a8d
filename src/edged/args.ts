/** edged's command line: `--config FILE --home DIR [--log-level LEVEL]`. */
import { BadRequestError } from '../errors';
import { isLogLevel, LogLevel } from '../util/log';

export interface EdgedArgs {
  config: string;
  home: string;
  logLevel: LogLevel;
  help: boolean;
}

export const USAGE = 'usage: edged --config FILE --home DIR [--log-level trace|debug|info|warn|error]';

function usage(message: string): never {
  throw new BadRequestError(message, { hint: USAGE });
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): EdgedArgs {
  const values: Partial<Record<'config' | 'home' | 'log-level', string>> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const m = /^(?:--(config|home|log-level)|-(c))(?:=(.*))?$/.exec(arg);
    if (!m) usage(`unknown argument "${arg}"`);
    const key = (m[1] ?? 'config') as keyof typeof values;
    const value = m[3] ?? argv[++i];
    if (value === undefined || value === '') usage(`--${key} needs a value`);
    values[key] = value;
  }
  const logLevel = values['log-level'] ?? env.EDGED_LOG_LEVEL ?? 'info';
  if (!isLogLevel(logLevel)) usage(`invalid log level "${logLevel}"`);
  if (help) return { config: '', home: '', logLevel, help };
  if (!values.config) usage('--config is required');
  if (!values.home) usage('--home is required');
  return { config: values.config, home: values.home, logLevel, help };
}
