import { commands } from '../../../src/cli/commands/index';
import { fastCommand } from '../../../src/cli/fast-path';

describe('fastCommand: only a fast command with global options skips yargs', () => {
  test.each([
    [['list'], 'list', undefined],
    [['version'], 'version', undefined],
    [['-H', 'unix:///x.sock', 'list'], 'list', 'unix:///x.sock'],
    [['list', '--host', 'unix:///x.sock'], 'list', 'unix:///x.sock'],
    [['--host=unix:///x.sock', 'list', '--verbose'], 'list', 'unix:///x.sock'],
    [['--version'], 'version', undefined],
    [['-V'], 'version', undefined],
  ])('%j', (argv, name, host) => {
    const fast = fastCommand(argv, commands);
    expect(fast?.entry.command).toBe(name);
    expect(fast?.host).toBe(host);
  });

  test.each([[[]], [['list', '--help']], [['list', 'extra']], [['-H']], [['-H', 'list']], [['logs', 'x']], [['lst']], [['list', '-x']], [['list', '--version']]])(
    '%j goes through yargs',
    (argv) => expect(fastCommand(argv, commands)).toBeUndefined(),
  );
});
