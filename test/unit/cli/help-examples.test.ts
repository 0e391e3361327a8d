/**
 * Every command and subcommand registered in src/cli/commands shows an example in its --help.
 * The commands are read from the registry and the subcommands from each command's own help, so
 * a command added later is covered without editing this test.
 */
import { commands } from '../../../src/cli/commands';
import { cli, fakeRuntime } from '../../helpers/fake-cli-runtime';

async function help(argv: string[]): Promise<string> {
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
  try {
    const r = await cli([...argv, '--help'], fakeRuntime({}));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  } finally {
    spy.mockRestore();
  }
  return printed.join('\n');
}

/** `iotedge config apply  Validate ...` lines of the Commands: section. */
function subcommandsIn(text: string, parent: string): string[] {
  const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(text)?.[1] ?? '';
  return section
    .split('\n')
    .map((l) => new RegExp(`^\\s+iotedge ${parent} ([a-z][a-z-]*)`).exec(l)?.[1])
    .filter((s): s is string => s !== undefined);
}

describe('--help shows "Examples:" on every command and subcommand', () => {
  it('covers the whole registry', async () => {
    const seen: string[] = [];
    for (const entry of commands) {
      const name = entry.command.split(' ')[0];
      const text = await help([name]);
      expect({ command: name, hasExamples: text.includes('Examples:') }).toEqual({ command: name, hasExamples: true });
      seen.push(name);
      for (const sub of subcommandsIn(text, name)) {
        const subText = await help([name, sub]);
        expect({ command: `${name} ${sub}`, hasExamples: subText.includes('Examples:') }).toEqual({ command: `${name} ${sub}`, hasExamples: true });
        seen.push(`${name} ${sub}`);
      }
    }
    // The discovery found everything the CLI is known to have (a guard against a parse that finds nothing).
    expect(seen).toEqual(
      expect.arrayContaining([
        'list', 'logs', 'restart', 'version', 'config', 'config apply', 'config import', 'config mp', 'check',
        'system', 'system status', 'system logs', 'system restart', 'system stop', 'system set-log-level',
        'system reprovision', 'system prune-images', 'support-bundle',
      ]),
    );
  });
});
