import { tabulate } from '../../../src/cli/format/table';

describe('tabulate (Rust tabwriter, minwidth 15, padding 2)', () => {
  test('short cells are padded to 15 + 2; the last cell is never padded', () => {
    const out = tabulate([
      ['NAME', 'STATUS', 'DESCRIPTION', 'Config'],
      ['edgeAgent', 'running', 'Up 11 seconds', 'mcr.microsoft.com/azureiotedge-agent:1.4'],
    ]);
    expect(out).toBe(
      'NAME             STATUS           DESCRIPTION      Config\n' +
        'edgeAgent        running          Up 11 seconds    mcr.microsoft.com/azureiotedge-agent:1.4\n',
    );
  });

  test('a column grows to its widest cell, plus padding', () => {
    const out = tabulate([
      ['NAME', 'STATUS', 'DESCRIPTION', 'Config'],
      ['SimulatedTemperatureSensor', 'failed', 'Failed (137) 2 hours ago', 'img:1'],
    ]);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`${'NAME'.padEnd(28)}${'STATUS'.padEnd(17)}${'DESCRIPTION'.padEnd(26)}Config`);
    expect(lines[1]).toBe(`SimulatedTemperatureSensor  ${'failed'.padEnd(17)}Failed (137) 2 hours ago  img:1`);
  });

  test('columns are computed over contiguous lines that have them (elastic tabstops)', () => {
    const out = tabulate([['a', 'b'], ['c'], ['a-very-long-cell-here', 'x']]);
    expect(out).toBe(`${'a'.padEnd(17)}b\nc\na-very-long-cell-here  x\n`);
  });

  test('only a header: still padded', () => {
    expect(tabulate([['NAME', 'STATUS', 'DESCRIPTION', 'Config']])).toBe(
      'NAME             STATUS           DESCRIPTION      Config\n',
    );
  });
});
