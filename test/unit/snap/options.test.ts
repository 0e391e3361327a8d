import { parseOptions, validOptionKeys } from '../../../src/snap/options';

describe('snap options', () => {
  it('parses every documented option into typed values', () => {
    const o = parseOptions({
      'cs-file': '/root/cs.txt',
      'log-level': 'debug',
      hostname: 'edge-1',
      docker: { daemon: { 'log-level': 'warn' } },
      'image-gc': { enabled: false, recurrence: '2d', threshold: '7d', time: '03:30' },
    });
    expect(o).toEqual({
      csFile: '/root/cs.txt',
      logLevel: 'debug',
      hostname: 'edge-1',
      dockerDaemon: { 'log-level': 'warn' },
      imageGc: { enabled: false, recurrence: '2d', threshold: '7d', time: '03:30' },
    });
  });

  it('rejects unknown options and lists the valid ones', () => {
    expect(() => parseOptions({ 'cs-fil': '/x' })).toThrow(/unknown option cs-fil/);
    try {
      parseOptions({ 'image-gc': { when: 'now' } });
    } catch (e) {
      expect((e as { hint: string }).hint).toBe(`valid options: ${validOptionKeys().join(', ')}`);
    }
  });

  it.each([
    [{ 'image-gc': { recurrence: 'sometimes' } }, /^image-gc.recurrence = "sometimes" is not a duration/],
    [{ 'image-gc': { recurrence: '12h' } }, /^image-gc.recurrence = "12h" must be a whole number of days$/],
    [{ 'image-gc': { threshold: 'soon' } }, /^image-gc.threshold = "soon" is not a duration/],
    [{ 'image-gc': { time: '25:00' } }, /^image-gc.time = "25:00" is not a time of day$/],
    [{ 'image-gc': { enabled: 'yes' } }, /image-gc.enabled must be true or false/],
    [{ 'log-level': 'loud' }, /log-level must be one of/],
    [{ 'cs-file': 'relative.txt' }, /cs-file must be an absolute path/],
    [{ docker: { daemon: '{not json' } }, /docker.daemon is not valid JSON/],
    [{ docker: { daemon: [1] } }, /docker.daemon must be a JSON object/],
    [{ hostname: 'bad host' }, /hostname: expected a host name/],
  ])('rejects %j', (doc, message) => {
    expect(() => parseOptions(doc as Record<string, unknown>)).toThrow(message);
  });
});
