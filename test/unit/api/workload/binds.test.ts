import { hasSocketFileBind, parseBind, rewriteSocketBinds } from '../../../../src/api/workload/binds';

const layout = (names = ['workload.sock']) => ({
  dir: '/home/mnt/m1',
  names,
  fileSources: ['/home/mnt/m1.sock', '/link/mnt/m1.sock'],
});

describe('socket binds', () => {
  it('parses host-path binds only', () => {
    expect(parseBind('/a/b/:/c:ro')).toEqual({ source: '/a/b', target: '/c', options: 'ro' });
    expect(parseBind('vol:/data')).toBeUndefined();
    expect(parseBind('/only')).toBeUndefined();
  });

  it("turns upstream edgeAgent's socket-file bind into the module's directory, read-only", () => {
    const r = rewriteSocketBinds(['/data:/data', '/home/mnt/m1.sock:/var/run/iotedge/workload.sock'], layout());
    expect(r).toEqual({ binds: ['/data:/data', '/home/mnt/m1:/var/run/iotedge:ro'], keptSocketFile: false });
  });

  it('recognizes the file under the unresolved home too, and binds the directory once', () => {
    const r = rewriteSocketBinds(['/link/mnt/m1.sock:/var/run/iotedge/workload.sock', '/home/mnt/m1:/var/run/iotedge:ro'], layout());
    expect(r.binds).toEqual(['/home/mnt/m1:/var/run/iotedge:ro']);
  });

  it("drops edgeAgent's management-socket file bind when its directory serves mgmt.sock", () => {
    const r = rewriteSocketBinds(
      ['/var/run/iotedge/mgmt.sock:/var/run/iotedge/mgmt.sock', '/home/mnt/m1.sock:/var/run/iotedge/workload.sock'],
      layout(['workload.sock', 'mgmt.sock']),
    );
    expect(r.binds).toEqual(['/home/mnt/m1:/var/run/iotedge:ro']);
  });

  it("keeps a file bind whose target is no socket the directory serves, and says the file must be served", () => {
    const r = rewriteSocketBinds(['/home/mnt/m1.sock:/run/custom.sock'], layout());
    expect(r).toEqual({ binds: ['/home/mnt/m1.sock:/run/custom.sock'], keptSocketFile: true });
  });

  it("leaves other modules' sockets and unrelated binds alone", () => {
    const binds = ['/home/mnt/m2.sock:/var/run/iotedge/workload.sock', 'vol:/x', '/a:/b'];
    expect(rewriteSocketBinds(binds, layout())).toEqual({ binds, keptSocketFile: false });
  });

  it("tells a container binding its socket file from one binding its directory", () => {
    const sources = layout().fileSources;
    expect(hasSocketFileBind([{ Type: 'bind', Source: '/home/mnt/m1.sock' }], sources)).toBe(true);
    expect(hasSocketFileBind([{ Type: 'bind', Source: '/home/mnt/m1' }], sources)).toBe(false);
    expect(hasSocketFileBind([{ Type: 'volume', Source: '/home/mnt/m1.sock' }], sources)).toBe(false);
  });
});
