import { nodeAt } from '../../../src/config/schema/lookup';
import { defaultConfigDoc, renderConfig, validateConfig } from '../../../src/snap/render-config';
import { isConfigOption, OPTIONS, parseOptions, validOptionKeys } from '../../../src/snap/options';
import { snapPaths } from '../../../src/snap/paths';

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
      dockerDaemon: { 'log-level': 'warn' },
      config: [
        [['hostname'], 'edge-1'],
        [['image_garbage_collection', 'enabled'], false],
        [['image_garbage_collection', 'cleanup_recurrence'], '2d'],
        [['image_garbage_collection', 'image_age_cleanup_threshold'], '7d'],
        [['image_garbage_collection', 'cleanup_time'], '03:30'],
      ],
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
    [{ 'image-gc': { enabled: 'yes' } }, /^image-gc.enabled must be true or false, got "yes"$/],
    [{ 'log-level': 'loud' }, /log-level must be one of/],
    [{ 'cs-file': 'relative.txt' }, /cs-file must be an absolute path/],
    [{ docker: { daemon: '{not json' } }, /docker.daemon is not valid JSON/],
    [{ docker: { daemon: [1] } }, /docker.daemon must be a JSON object/],
    [{ hostname: 'bad host' }, /hostname: expected a host name/],
  ])('rejects %j', (doc, message) => {
    expect(() => parseOptions(doc as Record<string, unknown>)).toThrow(message);
  });

  it('maps every config.toml option to a key of the config schema', () => {
    const rows = OPTIONS.filter(isConfigOption);
    expect(rows.map((o) => o.key)).toEqual(['hostname', 'image-gc.enabled', 'image-gc.recurrence', 'image-gc.threshold', 'image-gc.time']);
    for (const o of rows) expect([o.key, nodeAt(o.toml)?.type]).toEqual([o.key, expect.stringMatching(/^(string|boolean)$/)]);
  });

  it('renders the config rows generically: each value at its TOML path, over the base, and the file validates', () => {
    const paths = snapPaths('/snap/x/1', '/var/snap/x/common');
    const options = parseOptions({ hostname: 'edge-2', 'image-gc': { enabled: 'false', time: '04:15' } });
    const text = renderConfig({ base: defaultConfigDoc('edge-1'), options, paths, deployment: false });
    const config = validateConfig(text, paths);
    expect(config.hostname).toBe('edge-2');
    expect(config.image_garbage_collection).toMatchObject({ enabled: false, recurrenceMs: 86_400_000, cleanupMinutes: 4 * 60 + 15 });
  });
});
