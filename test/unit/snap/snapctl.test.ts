import { Snapctl, fitHealthMessage, parseServices, type ExecResult } from '../../../src/snap/snapctl';

function recorder(result: Partial<ExecResult> = {}) {
  const calls: string[][] = [];
  const exec = async (args: string[]): Promise<ExecResult> => {
    calls.push(args);
    return { code: 0, stdout: '', stderr: '', ...result };
  };
  return { calls, snapctl: new Snapctl(exec) };
}

describe('Snapctl builders', () => {
  it('validates before running: bad keys, health codes and service names never reach snapctl', async () => {
    const { calls, snapctl } = recorder();
    await expect(snapctl.get('Bad Key')).rejects.toThrow(/invalid snap option name/);
    await expect(snapctl.setHealth('waiting')).rejects.toThrow(/needs a message/);
    await expect(snapctl.setHealth('error', 'broken thing', 'X!')).rejects.toThrow(/invalid health code/);
    await expect(snapctl.services('start', ['dockerd; rm -rf /'])).rejects.toThrow(/invalid service name/);
    expect(calls).toEqual([]);
  });

  it('builds start --enable / stop --disable / restart', async () => {
    const { calls, snapctl } = recorder();
    await snapctl.services('start', ['azure-iot-edge.dockerd'], { persist: true });
    await snapctl.services('stop', ['azure-iot-edge.dockerd'], { persist: true });
    await snapctl.services('restart', ['azure-iot-edge.iotedged'], { persist: true });
    expect(calls).toEqual([
      ['start', '--enable', 'azure-iot-edge.dockerd'],
      ['stop', '--disable', 'azure-iot-edge.dockerd'],
      ['restart', 'azure-iot-edge.iotedged'],
    ]);
  });

  it('never puts the value being set into its error', async () => {
    const { snapctl } = recorder({ code: 1, stderr: 'error: nope' });
    await expect(snapctl.set({ 'connection-string': 'SharedAccessKey=secret' })).rejects.toThrow('snapctl set ... failed: error: nope');
    await expect(snapctl.set({ 'connection-string': 'SharedAccessKey=secret' })).rejects.not.toThrow(/secret/);
  });

  it("getAll: only snapd's \"no such option\" reads as unset; a snapctl that failed or timed out is an error, not options never set", async () => {
    const unset = recorder({ code: 1, stderr: 'error: error running snapctl: snap "azure-iot-edge" has no "log-level" configuration option' });
    await expect(unset.snapctl.getAll(['log-level', 'hostname'])).resolves.toEqual({});
    const killed = recorder({ code: 127, stderr: 'Command failed: snapctl get -d log-level' });
    await expect(killed.snapctl.getAll(['log-level'])).rejects.toThrow(/snapctl get -d log-level failed: Command failed/);
    const refused = recorder({ code: 1, stderr: 'error: cannot communicate with server: timeout exceeded while waiting for response' });
    await expect(refused.snapctl.getAll(['log-level'])).rejects.toThrow(/cannot communicate with server/);
  });

  it('is-connected: 0 yes, 1 no, anything else an error', async () => {
    await expect(recorder({ code: 0 }).snapctl.isConnected('docker-support')).resolves.toBe(true);
    await expect(recorder({ code: 1 }).snapctl.isConnected('docker-support')).resolves.toBe(false);
    await expect(recorder({ code: 2, stderr: 'boom' }).snapctl.isConnected('docker-support')).rejects.toThrow(/boom/);
  });

  it('fits health messages into 7..70 characters', () => {
    expect(fitHealthMessage('ok')).toBe('ok.....');
    expect(fitHealthMessage('x'.repeat(100))).toHaveLength(70);
  });

  it('parses snapctl services', () => {
    expect(parseServices('Service Startup Current Notes\nazure-iot-edge.dockerd enabled active -\nazure-iot-edge.iotedged disabled inactive -\n')).toEqual({
      'azure-iot-edge.dockerd': { enabled: true, active: true },
      'azure-iot-edge.iotedged': { enabled: false, active: false },
    });
  });
});
