/**
 * Watches the deployment file (chokidar) and hands each new content to the agent, debounced:
 * an editor's save (write + rename, or several writes) becomes one apply. A missing or
 * unreadable file is reported; the running deployment is left as it is.
 */
import { watch, FSWatcher } from 'chokidar';
import { promises as fs } from 'node:fs';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

export interface DeploymentFileWatcherOptions {
  file: string;
  clock: Clock;
  logger: Logger;
  debounceMs?: number;
  onText: (text: string) => Promise<unknown>;
  onUnreadable: (message: string) => void;
}

export class DeploymentFileWatcher {
  private watcher?: FSWatcher;
  private pending?: AbortController;
  private lastText?: string;
  private applying: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeploymentFileWatcherOptions) {}

  /** Starts watching and applies the current content; resolves when that first apply is done. */
  async start(): Promise<void> {
    this.watcher = watch(this.options.file, { ignoreInitial: true, atomic: true, disableGlobbing: true });
    this.watcher.on('all', () => this.changed());
    this.watcher.on('error', (e) => this.options.logger.warn(`Watching ${this.options.file} failed: ${String(e)}`));
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
    await this.readAndApply();
  }

  async stop(): Promise<void> {
    this.pending?.abort();
    await this.watcher?.close();
    await this.applying;
  }

  /** Resolves when every change seen so far has been applied (for tests and `make run`). */
  async settled(): Promise<void> {
    await this.applying;
  }

  private changed(): void {
    this.pending?.abort();
    const controller = new AbortController();
    this.pending = controller;
    this.options.clock.sleep(this.options.debounceMs ?? 200, controller.signal).then(
      () => {
        if (this.pending === controller) this.pending = undefined;
        void this.readAndApply();
      },
      () => undefined,
    );
  }

  private readAndApply(): Promise<unknown> {
    this.applying = this.applying.then(async () => {
      let text: string;
      try {
        text = await fs.readFile(this.options.file, 'utf8');
      } catch (e) {
        this.lastText = undefined;
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        this.options.onUnreadable(`cannot read the deployment file ${this.options.file} (${code})`);
        return;
      }
      if (text === this.lastText) return;
      this.lastText = text;
      this.options.logger.info(`Applying the deployment file ${this.options.file}`);
      await this.options.onText(text);
    });
    return this.applying;
  }
}
