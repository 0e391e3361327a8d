import { planWrites, CORE_DROP_IN } from '../../../src/images/write/plan';
import type { BaseInfo } from '../../../src/images/base/inspect';
import { parseModelHeaders } from '../../../src/images/base/model';
import { GradeError } from '../../../src/images/errors';
import type { DeviceSpec } from '../../../src/images/device/spec';

const partition = { index: 2, offset: 1 << 20, size: 64 << 20, type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', name: 'ubuntu-seed' };
const core = (grade: 'dangerous' | 'signed' | 'secured'): BaseInfo => ({ kind: 'core', table: 'gpt', partition, model: { model: 'm', brand: 'b', grade }, system: '20260101' });
const device: DeviceSpec = { name: 'd1', identity: { kind: 'connection-string', connectionString: 'HostName=h;DeviceId=d1;SharedAccessKey=AAAA', deviceId: 'd1' }, hostname: 'edge-1' };

describe('planWrites: what goes where, by base kind and grade', () => {
  it('dangerous: one cloud-init drop-in in ubuntu-seed', () => {
    const w = planWrites(core('dangerous'), device);
    expect(w.map((x) => x.path)).toEqual([CORE_DROP_IN]);
    expect(w[0].content).toMatch(/^#cloud-config\nhostname: edge-1\n/);
  });

  it('signed: refused, saying why and what to do', () => {
    expect(() => planWrites(core('signed'), device)).toThrow(GradeError);
    expect(() => planWrites(core('signed'), device)).toThrow(/grade signed: snapd ignores cloud-init configuration in ubuntu-seed .* per-device secrets/);
    expect(() => planWrites(core('signed'), { name: 'd', hostname: 'h' })).toThrow(/per-device settings/);
  });

  it('secured: refused, with what works instead', () => {
    try {
      planWrites(core('secured'), device);
      throw new Error('not refused');
    } catch (e) {
      expect((e as GradeError).httpStatus).toBe(422);
      expect((e as GradeError).hint).toMatch(/provision after first boot/);
    }
  });

  it('classic: the NoCloud seed, network-config only with wifi', () => {
    const base: BaseInfo = { kind: 'classic', table: 'mbr', partition: { ...partition, type: '0c', name: '' } };
    expect(planWrites(base, device).map((x) => x.path)).toEqual(['/user-data', '/meta-data']);
    expect(planWrites(base, { ...device, wifi: { ssid: 's' } }).map((x) => x.path)).toEqual(['/user-data', '/meta-data', '/network-config']);
  });
});

describe('parseModelHeaders', () => {
  it('reads the grade; a model with none is signed (UC16/18); other assertions are not models', () => {
    expect(parseModelHeaders('type: model\nmodel: x\nbrand-id: b\ngrade: dangerous\n\nsig')).toEqual({ model: 'x', brand: 'b', grade: 'dangerous' });
    expect(parseModelHeaders('type: model\nmodel: x\n\ngrade: dangerous')?.grade).toBe('signed');
    expect(parseModelHeaders('type: serial\ngrade: dangerous\n')).toBeUndefined();
    expect(parseModelHeaders('type: model\ngrade: lax\n')).toBeUndefined();
  });
});
