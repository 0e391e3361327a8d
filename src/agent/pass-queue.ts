/**
 * Orders reconciliation passes: a full pass runs alone (and covers any module request that
 * arrives while it waits); passes for single modules run concurrently with each other, one at a
 * time per module, so that one module's slow start never delays another module's restart.
 * Requests that arrive while an identical one waits share its result.
 */
type Waiter<R> = (result: R) => void;

export class PassQueue<R> {
  private pendingFull?: Waiter<R>[];
  private readonly pendingModules = new Map<string, Waiter<R>[]>();
  private fullActive = false;
  private readonly activeModules = new Set<string>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly runFull: () => Promise<R>,
    private readonly runModule: (name: string) => Promise<R>,
  ) {}

  full(): Promise<R> {
    return new Promise((resolve) => {
      (this.pendingFull ??= []).push(resolve);
      this.dispatch();
    });
  }

  module(name: string): Promise<R> {
    return new Promise((resolve) => {
      if (this.pendingFull) this.pendingFull.push(resolve);
      else {
        const waiters = this.pendingModules.get(name) ?? [];
        waiters.push(resolve);
        this.pendingModules.set(name, waiters);
      }
      this.dispatch();
    });
  }

  /** Resolves when no pass runs or waits. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return !this.fullActive && !this.pendingFull && this.activeModules.size === 0 && this.pendingModules.size === 0;
  }

  private dispatch(): void {
    if (this.fullActive) return;
    if (this.pendingFull) {
      for (const waiters of this.pendingModules.values()) this.pendingFull.push(...waiters);
      this.pendingModules.clear();
      if (this.activeModules.size) return;
      const waiters = this.pendingFull;
      this.pendingFull = undefined;
      this.fullActive = true;
      void this.runFull().then((result) => {
        this.fullActive = false;
        waiters.forEach((w) => w(result));
        this.dispatch();
      });
      return;
    }
    for (const [name, waiters] of [...this.pendingModules]) {
      if (this.activeModules.has(name)) continue;
      this.pendingModules.delete(name);
      this.activeModules.add(name);
      void this.runModule(name).then((result) => {
        this.activeModules.delete(name);
        waiters.forEach((w) => w(result));
        this.dispatch();
      });
    }
    if (this.isIdle()) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      idle.forEach((w) => w());
    }
  }
}
