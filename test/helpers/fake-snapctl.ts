/** A snapctl stand-in: options, connections and services in memory; anything else throws. */
import type { ExecResult, SnapctlExec } from '../../src/snap/snapctl';

export interface FakeSnapd {
  options: Record<string, unknown>;
  connected: Set<string>;
  services: Record<string, { enabled: boolean; active: boolean }>;
  health?: string[];
  calls: string[][];
  /** Answers a call instead of the fake (a snapctl that fails or times out); undefined: the fake answers. */
  intercept?: (args: string[]) => ExecResult | undefined;
  exec: SnapctlExec;
}

export function fakeSnapd(init: Partial<Pick<FakeSnapd, 'options' | 'connected'>> = {}): FakeSnapd {
  const s: FakeSnapd = {
    options: init.options ?? {},
    connected: init.connected ?? new Set(['network', 'network-bind']),
    services: {
      'azure-iot-edge.dockerd': { enabled: false, active: false },
      'azure-iot-edge.iotedged': { enabled: false, active: false },
    },
    calls: [],
    exec: async (args): Promise<ExecResult> => {
      s.calls.push(args);
      const intercepted = s.intercept?.(args);
      if (intercepted) return intercepted;
      const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
      const [cmd, ...rest] = args;
      switch (cmd) {
        case 'get':
          if (rest[0] === '-d' && rest.length === 1) {
            return { code: 1, stdout: '', stderr: 'error: error running snapctl: get which option?' }; // every snapd, in a hook
          }
          if (rest[0] === '-d' && rest.length === 2) {
            const v = s.options[rest[1]];
            return v === undefined ? { code: 1, stdout: '', stderr: `error: snap has no "${rest[1]}" configuration option` } : ok(JSON.stringify({ [rest[1]]: v }));
          }
          if (rest.length === 1) return ok(s.options[rest[0]] === undefined ? '' : String(s.options[rest[0]]));
          break;
        case 'set':
          for (const kv of rest) {
            const eq = kv.indexOf('=');
            s.options[kv.slice(0, eq)] = kv.slice(eq + 1);
          }
          return ok();
        case 'unset':
          for (const k of rest) delete s.options[k];
          return ok();
        case 'is-connected':
          return { code: s.connected.has(rest[0]) ? 0 : 1, stdout: '', stderr: '' };
        case 'services': {
          const lines = ['Service Startup Current Notes'];
          for (const n of rest) lines.push(`${n} ${s.services[n].enabled ? 'enabled' : 'disabled'} ${s.services[n].active ? 'active' : 'inactive'} -`);
          return ok(lines.join('\n') + '\n');
        }
        case 'start':
        case 'stop':
        case 'restart': {
          const names = rest.filter((a) => !a.startsWith('--'));
          for (const n of names) {
            if (cmd !== 'stop') s.services[n].active = true;
            else s.services[n].active = false;
            if (rest.includes('--enable')) s.services[n].enabled = true;
            if (rest.includes('--disable')) s.services[n].enabled = false;
          }
          return ok();
        }
        case 'set-health':
          (s.health ??= []).push(rest.join(' '));
          return ok();
      }
      throw new Error(`fake snapctl: not implemented: ${args.join(' ')}`);
    },
  };
  return s;
}
