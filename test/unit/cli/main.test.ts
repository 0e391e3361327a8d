import { Readable } from 'node:stream';
import { NotFoundError, UnavailableError } from '../../../src/errors';
import { cli, fakeRuntime, listed } from '../../helpers/fake-cli-runtime';
import { dockerFrame as frame } from '../../helpers/docker-frame';

const NOW = Date.UTC(2026, 0, 31, 12);

describe('iotedge list', () => {
  test('prints the table from the runtime', async () => {
    const runtime = fakeRuntime({
      list: async () => [listed('b', 'img-b:1', 'running', { startedAt: new Date(NOW - 3000) }), listed('a', 'img-a:1', 'stopped')],
    });
    const r = await cli(['list'], runtime, NOW);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NAME             STATUS           DESCRIPTION      Config\n' +
        'a                stopped          Stopped          img-a:1\n' +
        'b                running          Up 3 seconds     img-b:1\n',
    });
  });

  test('daemon not reachable: one line, exit 4, no stack', async () => {
    const runtime = fakeRuntime({
      list: async () => {
        throw new UnavailableError('cannot connect to the IoT Edge daemon at unix:///x.sock: connection refused', {
          hint: 'Is edged running?',
        });
      },
    });
    const r = await cli(['list'], runtime);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('cannot connect to the IoT Edge daemon at unix:///x.sock: connection refused. Is edged running?\n');
  });

  test('--verbose shows the stack and causes', async () => {
    const runtime = fakeRuntime({
      list: async () => {
        throw new UnavailableError('down', { cause: new Error('connect ENOENT /x.sock') });
      },
    });
    const r = await cli(['list', '--verbose'], runtime);
    expect(r.stderr).toMatch(/^down\nUnavailableError: down\n\s+at /);
    expect(r.stderr).toContain('caused by: Error: connect ENOENT /x.sock');
  });

  test('an unexpected error is one line too', async () => {
    const r = await cli(['list'], fakeRuntime({ list: async () => Promise.reject(new TypeError('boom')) }));
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'boom\n' });
  });
});

describe('iotedge restart', () => {
  test('prints the module name, as upstream', async () => {
    const restarted: string[] = [];
    const r = await cli(['restart', 'tempSensor'], fakeRuntime({ restart: async (n) => void restarted.push(n) }));
    expect(r).toEqual({ code: 0, stdout: 'tempSensor\n', stderr: '' });
    expect(restarted).toEqual(['tempSensor']);
  });

  test('unknown module: one line naming it, exit 3', async () => {
    const runtime = fakeRuntime({
      restart: async (n) => {
        throw new NotFoundError(`module '${n}' not found`, { hint: 'Run `iotedge list` to see the modules' });
      },
    });
    const r = await cli(['restart', 'nope'], runtime);
    expect(r).toEqual({ code: 3, stdout: '', stderr: "module 'nope' not found. Run `iotedge list` to see the modules\n" });
  });
});

describe('iotedge logs', () => {
  test('options reach the runtime; frames are split to stdout and stderr', async () => {
    let seen: unknown;
    const runtime = fakeRuntime({
      logs: async (name, options) => {
        seen = { name, options };
        const all = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]);
        return Readable.from([all.subarray(0, 3), all.subarray(3, 13), all.subarray(13)]);
      },
    });
    const r = await cli(['logs', 'm', '--tail', '10', '--since', '90m', '--until', '1569600000', '--timestamps'], runtime, NOW);
    expect(r).toEqual({ code: 0, stdout: 'out\n', stderr: 'err\n' });
    expect(seen).toEqual({
      name: 'm',
      options: { follow: false, tail: 10, since: NOW / 1000 - 5400, until: 1_569_600_000, timestamps: true },
    });
  });

  test('defaults as upstream: tail all, since 1 day', async () => {
    let options: unknown;
    const runtime = fakeRuntime({
      logs: async (_n, o) => {
        options = o;
        return Readable.from([]);
      },
    });
    await cli(['logs', 'm', '-f'], runtime, NOW);
    expect(options).toEqual({ follow: true, tail: 'all', since: NOW / 1000 - 86400, timestamps: false });
  });

  test('a bad --since is a usage error: exit 2, the runtime is not called', async () => {
    const r = await cli(['logs', 'm', '--since', 'yesterday'], fakeRuntime({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^invalid --since value 'yesterday'\. Use a duration/);
  });
});

describe('usage errors exit 2 with one line', () => {
  test.each([
    [['lst'], "unknown command 'lst'. Did you mean 'iotedge list'? Run 'iotedge --help' to see the commands\n"],
    [['frobnicate'], "unknown command 'frobnicate'. Run 'iotedge --help' to see the commands\n"],
    [['logs'], "a required argument is missing. Run 'iotedge logs --help' to see the usage\n"],
    [['list', '--bogus'], "Unknown argument: bogus. Run 'iotedge list --help' to see the usage\n"],
    [['logs', 'x', '--tail'], "Not enough arguments following: tail. Run 'iotedge logs --help' to see the usage\n"],
  ])('%j', async (argv, stderr) => {
    const r = await cli(argv, fakeRuntime({}));
    expect(r).toEqual({ code: 2, stdout: '', stderr });
  });

  test('no command at all shows the help on stderr', async () => {
    const r = await cli([], fakeRuntime({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('iotedge list');
    expect(r.stderr).toContain('iotedge logs <module>');
  });
});

test('iotedge version prints "iotedge <package.json version>"', async () => {
   
  const { version } = require('../../../package.json') as { version: string };
  const r = await cli(['version'], fakeRuntime({}));
  expect(r).toEqual({ code: 0, stdout: `iotedge ${version}\n`, stderr: '' });
});

test('-H/--host picks the socket; IOTEDGE_HOST and the snap are the defaults', async () => {
  const { defaultHost } = await import('../../../src/cli/host');
  expect(defaultHost({})).toBe('unix:///var/run/iotedge/mgmt.sock');
  expect(defaultHost({ SNAP_COMMON: '/var/snap/azure-iot-edge/common' })).toBe(
    'unix:///var/snap/azure-iot-edge/common/run/iotedge/mgmt.sock',
  );
  expect(defaultHost({ IOTEDGE_HOST: 'unix:///x.sock', SNAP_COMMON: '/s' })).toBe('unix:///x.sock');
});

test('--version and -V print what `iotedge version` prints, as upstream', async () => {
  const { version } = require('../../../package.json') as { version: string };
  for (const flag of ['--version', '-V']) {
    expect(await cli([flag], fakeRuntime({}))).toEqual({ code: 0, stdout: `iotedge ${version}\n`, stderr: '' });
  }
});

describe('--help on every command shows an example', () => {
  test.each(['list', 'logs', 'restart', 'version'])('iotedge %s --help', async (command) => {
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
    try {
      const r = await cli([command, '--help'], fakeRuntime({}));
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    } finally {
      spy.mockRestore();
    }
    const help = printed.join('\n');
    expect(help).toContain(`iotedge ${command}`);
    expect(help).toMatch(new RegExp(`Examples:\\n\\s+iotedge ${command}\\b`));
  });
});
