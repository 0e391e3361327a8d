import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSuperConfigFile } from '../../../src/config/load';
import { mergeToml } from '../../../src/config/merge';

describe('loading config.toml with config.d drop-ins', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cfg-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('merges drop-ins in name order: tables key by key, later files win, only *.toml', async () => {
    const file = path.join(dir, 'config.toml');
    await fs.writeFile(file, 'hostname = "a"\n[agent.env]\nA = "1"\n[moby_runtime]\nuri = "unix:///x.sock"\n');
    await fs.mkdir(path.join(dir, 'config.d'));
    await fs.writeFile(path.join(dir, 'config.d', '20-b.toml'), 'hostname = "c"\n');
    await fs.writeFile(path.join(dir, 'config.d', '10-a.toml'), 'hostname = "b"\n[agent.env]\nB = "2"\n');
    await fs.writeFile(path.join(dir, 'config.d', '30.toml.bak'), 'hostname = "ignored"\n');
    const c = await loadSuperConfigFile(file, { home: dir });
    expect(c.hostname).toBe('c');
    expect(c.agent.env).toEqual({ A: '1', B: '2' });
    expect(c.moby_runtime.uri).toBe('unix:///x.sock');
  });

  it('names the drop-in file and line of a problem', async () => {
    const file = path.join(dir, 'config.toml');
    await fs.writeFile(file, '[agent]\nname = "edgeAgent"\n');
    await fs.mkdir(path.join(dir, 'config.d'));
    await fs.writeFile(path.join(dir, 'config.d', '50-pull.toml'), '# pulls\n[agent]\nimagePullPolicy = "always"\n');
    await expect(loadSuperConfigFile(file, { home: dir })).rejects.toThrow(`${path.join(dir, 'config.d', '50-pull.toml')}:3: agent.imagePullPolicy: "always" is not allowed`);
  });

  it('says how to create a missing file', async () => {
    await expect(loadSuperConfigFile(path.join(dir, 'nope.toml'), { home: dir })).rejects.toMatchObject({
      message: expect.stringContaining('ENOENT'),
      hint: expect.stringContaining('iotedge config'),
    });
  });

  it('concatenates arrays as upstream does', () => {
    expect(mergeToml({ a: [1], t: { x: 1, y: 2 } }, { a: [2], t: { y: 3 } })).toEqual({ a: [1, 2], t: { x: 1, y: 3 } });
  });
});
