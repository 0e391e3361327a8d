/**
 * edged's entry point (bin/edged): arguments, logger, signals, exit code. Everything else is
 * in daemon.ts. Exit codes: 0 after SIGTERM/SIGINT, else exitCodeOf the error: 153 when the
 * configuration is wrong (as upstream: do not restart me until it is fixed), 2 for a bad command
 * line, 4 when something it depends on does not answer (a socket in use), 1 for anything else.
 */
import { failCurrentRequest } from '../api/http/request-scope';
import { ExitCode, exitCodeOf, formatError } from '../errors';
import { Clock, systemClock } from '../util/clock';
import { createLogger } from '../util/log';
import { parseArgs, USAGE } from './args';
import { Edged } from './daemon';
import type { EngineWaitOptions } from './engine-wait';

export interface MainIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Calls `handler` on SIGTERM/SIGINT; returns the unsubscribe. */
  onSignal(handler: (signal: string) => void): () => void;
  /** Calls `handler` with an error nothing caught (uncaughtException, unhandledRejection); returns the unsubscribe. */
  onUncaught(handler: (error: unknown) => void): () => void;
  exit(code: number): void;
  clock: Clock;
  engineWait?: EngineWaitOptions;
  /** Called once edged is ready (tests). */
  onReady?(edged: Edged): void;
}

const processIo: MainIo = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
  env: process.env,
  onSignal: (handler) => {
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
    for (const s of signals) process.on(s, handler);
    return () => signals.forEach((s) => process.off(s, handler));
  },
  onUncaught: (handler) => {
    process.on('uncaughtException', handler);
    process.on('unhandledRejection', handler);
    return () => {
      process.off('uncaughtException', handler);
      process.off('unhandledRejection', handler);
    };
  },
  exit: (code) => {
    process.exitCode = code;
  },
  clock: systemClock,
};

const oneLine = (e: unknown) => formatError(e).replace(/\s*\n\s*/g, ' ');

export async function run(argv: readonly string[], overrides: Partial<MainIo> = {}): Promise<number> {
  const io: MainIo = { ...processIo, ...overrides };
  let unguard = () => {};
  const finish = (code: number) => {
    unguard();
    io.exit(code);
    return code;
  };

  let args;
  try {
    args = parseArgs(argv, io.env);
  } catch (e) {
    io.stderr(oneLine(e));
    return finish(exitCodeOf(e));
  }
  if (args.help) {
    io.stdout(USAGE);
    return finish(ExitCode.ok);
  }

  const logger = createLogger({ level: args.logLevel, write: io.stderr, now: () => new Date(io.clock.now()) });
  const edged = new Edged({ configFile: args.config, home: args.home, logger, clock: io.clock, engineWait: io.engineWait });
  // No request may end edged: what a request's code did not catch fails that request with a 500;
  // outside a request it is fatal (edged stops cleanly and exits 1, for its supervisor to restart).
  unguard = io.onUncaught((e) => {
    const request = failCurrentRequest(e);
    if (request) {
      logger.error(`${request}: answered 500 for an error nothing caught (edged goes on): ${oneLine(e)}`);
      return;
    }
    logger.error(`an error nothing caught: ${oneLine(e)}`);
    const fatal = edged.ctx?.fatal;
    if (fatal) return fatal(e instanceof Error ? e : new Error(String(e)));
    // Before edged has a context there is nothing to stop cleanly: crash as Node would.
    unguard();
    setImmediate(() => {
      throw e;
    });
  });
  let stopRequested = false;
  let unsubscribe = () => {};
  const stopped = new Promise<void>((resolve) => {
    unsubscribe = io.onSignal((signal) => {
      logger.info(`${signal} received: stopping`);
      stopRequested = true;
      void edged.stop().then(resolve);
    });
  });

  try {
    await edged.start();
    io.onReady?.(edged);
  } catch (e) {
    if (stopRequested) {
      await stopped;
      unsubscribe();
      return finish(ExitCode.ok);
    }
    await edged.stop();
    unsubscribe();
    io.stderr(oneLine(e));
    return finish(exitCodeOf(e));
  }
  const fatal = await Promise.race([stopped.then(() => undefined), edged.fatal]);
  if (fatal) {
    logger.error(`stopping: ${fatal.message}`);
    await edged.stop();
    unsubscribe();
    io.stderr(oneLine(fatal));
    return finish(exitCodeOf(fatal));
  }
  unsubscribe();
  return finish(ExitCode.ok);
}
