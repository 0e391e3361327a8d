import { PassThrough, Readable } from 'node:stream';
import { LogDemuxer, STDERR, STDOUT, type LogFrame } from '../../../src/cli/logs/demux';
import { pipeLogs } from '../../../src/cli/logs/pipe';
import { dockerFrame as frame } from '../../helpers/docker-frame';

function decode(chunks: Buffer[]): { stream: number; text: string }[] {
  const d = new LogDemuxer();
  const frames: LogFrame[] = [];
  for (const c of chunks) frames.push(...d.push(c));
  frames.push(...d.end());
  return frames.map((f) => ({ stream: f.stream, text: f.payload.toString() }));
}

const whole = Buffer.concat([frame(STDOUT, 'Roses are red\n'), frame(STDERR, 'violets are blue\n'), frame(STDOUT, '')]);

describe('LogDemuxer', () => {
  test("upstream's smoke test: frames split at odd places", () => {
    const chunks = [
      Buffer.from([0x01, 0, 0, 0, 0, 0, 0, 0x0d, ...Buffer.from('Ro')]),
      Buffer.from('ses are'),
      Buffer.from([...Buffer.from(' red'), 0x02, 0x00]),
      Buffer.from([0, 0, 0, 0, 0, 0x10]),
      Buffer.from('violets'),
      Buffer.from(' are blue'),
    ];
    expect(decode(chunks)).toEqual([
      { stream: STDOUT, text: 'Roses are red' },
      { stream: STDERR, text: 'violets are blue' },
    ]);
  });

  test('every split point of a two-frame stream gives the same frames', () => {
    const expected = decode([whole]);
    expect(expected.map((f) => f.text)).toEqual(['Roses are red\n', 'violets are blue\n', '']);
    for (let i = 0; i <= whole.length; i++) {
      for (let j = i; j <= whole.length; j += 3) {
        expect(decode([whole.subarray(0, i), whole.subarray(i, j), whole.subarray(j)])).toEqual(expected);
      }
    }
  });

  test('one byte at a time', () => {
    expect(decode([...whole].map((b) => Buffer.from([b])))).toEqual(decode([whole]));
  });

  test('a TTY container sends plain text: passed through as stdout', () => {
    const frames = decode([Buffer.from('hel'), Buffer.from('lo '), Buffer.from('world\n')]);
    expect(frames.every((f) => f.stream === STDOUT)).toBe(true);
    expect(frames.map((f) => f.text).join('')).toBe('hello world\n');
  });

  test('a stream cut in the middle of a frame keeps what arrived', () => {
    const cut = frame(STDERR, 'partial line').subarray(0, 8 + 7);
    expect(decode([cut])).toEqual([{ stream: STDERR, text: 'partial' }]);
  });
});

describe('pipeLogs', () => {
  function sink(): { stream: PassThrough; text: () => string } {
    const stream = new PassThrough();
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    return { stream, text: () => Buffer.concat(parts).toString() };
  }

  test('stdout frames to stdout, stderr frames to stderr', async () => {
    const out = sink();
    const err = sink();
    await pipeLogs(Readable.from([whole.subarray(0, 5), whole.subarray(5)]), out.stream, err.stream);
    expect(out.text()).toBe('Roses are red\n');
    expect(err.text()).toBe('violets are blue\n');
  });

  test('an abort (Ctrl-C) while following ends cleanly', async () => {
    const source = new PassThrough();
    const out = sink();
    const controller = new AbortController();
    const done = pipeLogs(source, out.stream, sink().stream, controller.signal);
    source.write(frame(STDOUT, 'line 1\n'));
    await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(done).resolves.toBeUndefined();
    expect(out.text()).toBe('line 1\n');
    expect(source.destroyed).toBe(true);
  });
});
