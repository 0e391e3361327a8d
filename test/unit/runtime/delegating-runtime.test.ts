import { DelegatingRuntime } from '../../../src/runtime/delegating-runtime';
import type { ModuleRuntime } from '../../../src/runtime/types';

describe('DelegatingRuntime', () => {
  it('hands every ModuleRuntime call, with its arguments and answer, to the inner runtime', async () => {
    const calls: string[] = [];
    const inner = new Proxy({} as ModuleRuntime, {
      get: (_, method: string) => (...args: unknown[]) => {
        calls.push(`${method} ${JSON.stringify(args)}`);
        return `answer of ${method}`;
      },
    });
    const runtime = new DelegatingRuntime(inner);
    const signal = new AbortController().signal;
    const spec = { name: 'm', type: 'docker' as const, config: { image: 'i', createOptions: {} }, env: {}, imagePullPolicy: 'never' as const };
    const answers = [
      await runtime.create(spec),
      await runtime.pull(spec.config),
      await runtime.start('m'),
      await runtime.stop('m', 5),
      await runtime.restart('m'),
      await runtime.remove('m'),
      await runtime.get('m'),
      await runtime.list(),
      await runtime.logs('m', { follow: false, tail: 3, timestamps: true }),
      await runtime.systemInfo(),
      await runtime.systemResources(),
      runtime.events(signal),
    ];
    expect(calls).toEqual([
      `create [${JSON.stringify(spec)}]`,
      `pull [${JSON.stringify(spec.config)}]`,
      'start ["m"]',
      'stop ["m",5]',
      'restart ["m"]',
      'remove ["m"]',
      'get ["m"]',
      'list []',
      'logs ["m",{"follow":false,"tail":3,"timestamps":true}]',
      'systemInfo []',
      'systemResources []',
      'events [{}]',
    ]);
    expect(answers.map(String)).toEqual(calls.map((c) => `answer of ${c.split(' ')[0]}`));
  });

  it('reads the inner method only when it is called', () => {
    const inner = { list: async () => [] } as unknown as ModuleRuntime;
    expect(() => new DelegatingRuntime(inner)).not.toThrow();
  });
});
