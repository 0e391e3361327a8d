import { parseLogOptions } from '../../../../src/api/management/log-options';
import { parseModuleSpec } from '../../../../src/api/management/module-spec';
import { parseTimeSpec } from '../../../../src/api/management/time-spec';

const NOW = Date.UTC(2026, 0, 2, 12, 0, 0);
const nowS = NOW / 1000;

describe('parseTimeSpec', () => {
  it.each([
    ['1700000000', 1700000000],
    ['0', 0],
    ['2026-01-01T12:00:00Z', nowS - 86400],
    ['2026-01-02T13:00:00+01:00', nowS],
    ['90m', nowS - 5400],
    ['1 day', nowS - 86400],
    ['1d', nowS - 86400],
    ['2 days 3 hours 2 minutes', nowS - (2 * 86400 + 3 * 3600 + 120)],
    ['1h30m', nowS - 5400],
  ])('%s', (text, expected) => {
    expect(parseTimeSpec(text, NOW)).toBe(expected);
  });

  it.each(['yesterday', '5 fortnights', '1h x', '', '2026-13-45'])('rejects %j', (text) => {
    expect(parseTimeSpec(text, NOW)).toBeUndefined();
  });

  it('tells minutes (m) from months (M)', () => {
    expect(parseTimeSpec('1m', NOW)).toBe(nowS - 60);
    expect(parseTimeSpec('1M', NOW)).toBe(nowS - 2630016);
  });
});

describe('parseLogOptions', () => {
  it('defaults to every line, no follow, no timestamps', () => {
    expect(parseLogOptions(new URLSearchParams(''), NOW)).toEqual({ follow: false, tail: 'all', timestamps: false });
  });

  it('reads follow, tail, since, until and timestamps', () => {
    const q = new URLSearchParams('follow=true&tail=10&since=1h&until=1700000000&timestamps=true');
    expect(parseLogOptions(q, NOW)).toEqual({ follow: true, tail: 10, since: nowS - 3600, until: 1700000000, timestamps: true });
  });

  it.each([
    ['follow=yes', /^invalid parameter: follow \("yes"\)/],
    ['tail=-1', /^invalid parameter: tail/],
    ['since=soon', /^invalid parameter: since/],
    ['until=later', /^invalid parameter: until/],
  ])('rejects %s with a 400', (query, message) => {
    expect(() => parseLogOptions(new URLSearchParams(query), NOW)).toThrow(message);
    try {
      parseLogOptions(new URLSearchParams(query), NOW);
    } catch (e) {
      expect((e as { httpStatus: number }).httpStatus).toBe(400);
    }
  });
});

describe('parseModuleSpec', () => {
  const good = {
    name: 'tempSensor',
    type: 'docker',
    imagePullPolicy: 'Never',
    config: {
      settings: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.0', createOptions: '{"HostConfig":{"Privileged":false}}' },
      env: [{ key: 'A', value: '1' }],
    },
  };

  it('turns the API body into the runtime spec', () => {
    expect(parseModuleSpec(good)).toEqual({
      name: 'tempSensor',
      type: 'docker',
      imagePullPolicy: 'never',
      config: { image: good.config.settings.image, createOptions: { HostConfig: { Privileged: false } } },
      env: { A: '1' },
    });
  });

  it('defaults the pull policy to on-create and createOptions to {}', () => {
    const spec = parseModuleSpec({ name: 'm1', type: 'docker', config: { settings: { image: 'i' } } });
    expect(spec).toMatchObject({ imagePullPolicy: 'on-create', config: { image: 'i', createOptions: {} }, env: {} });
  });

  it.each([
    [undefined, 'missing request body'],
    [[], 'the request body must be a JSON object (a ModuleSpec)'],
    [{ ...good, name: '' }, 'module spec: "name" must be a non-empty string'],
    [{ ...good, type: 'rkt' }, 'module tempSensor: unsupported type "rkt"'],
    [{ ...good, config: {} }, 'module tempSensor: "config.settings" must be an object with "image"'],
    [{ ...good, config: { settings: { image: 'i', createOptions: '{' } } }, 'module tempSensor: "config.settings.createOptions" is not valid JSON'],
    [{ ...good, config: { settings: { image: 'i', createOptions: [] } } }, 'module tempSensor: "config.settings.createOptions" must be an object'],
    [{ ...good, config: { ...good.config, env: [{ key: 'A', value: 1 }] } }, 'module tempSensor: "config.env[0]" must be {"key": string, "value": string}'],
    [{ ...good, config: { ...good.config, env: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] } }, 'module tempSensor: duplicate env var key: A'],
    [{ ...good, imagePullPolicy: 'always' }, 'module tempSensor: invalid imagePullPolicy "always"'],
  ])('rejects %j: %s', (body, message) => {
    expect(() => parseModuleSpec(body)).toThrow(message);
  });
});
