import { type Facts, planServices } from '../../../src/snap/plan';

const all = { 'docker-support': true, 'firewall-control': true, 'network-control': true, network: true, 'network-bind': true };
const off = { enabled: false, active: false };
const on = { enabled: true, active: true };

function facts(over: Partial<Facts> = {}): Facts {
  return { plugs: { ...all }, services: { dockerd: off, iotedged: off }, hasWork: false, ...over };
}

describe('planServices', () => {
  it('starts nothing and says which plugs are missing', () => {
    const steps = planServices(facts({ plugs: { ...all, 'docker-support': false, 'firewall-control': false } }));
    expect(steps).toEqual([
      { kind: 'health', status: 'waiting', message: 'connect docker-support, firewall-control', code: 'waiting-plugs' },
    ]);
  });

  it('enables and starts dockerd alone when plugs are connected but nothing is configured', () => {
    const steps = planServices(facts());
    expect(steps.map((s) => (s.kind === 'service' ? `${s.action} ${s.service} ${s.persist}` : s.kind))).toEqual(['start dockerd true', 'health']);
    expect(steps[1]).toMatchObject({ code: 'waiting-config' });
  });

  it('starts both, dependency first, once configured', () => {
    const steps = planServices(facts({ hasWork: true }));
    expect(steps.filter((s) => s.kind === 'service').map((s) => s.kind === 'service' && s.service)).toEqual(['dockerd', 'iotedged']);
  });

  it('restarts running iotedged when the config changed, dockerd when daemon.json did', () => {
    const steps = planServices(facts({ hasWork: true, services: { dockerd: on, iotedged: on } }), { config: true, daemonJson: true });
    expect(steps.map((s) => (s.kind === 'service' ? `${s.action} ${s.service}` : s.kind))).toEqual(['restart dockerd', 'restart iotedged']);
  });

  it('changes nothing when all runs and nothing changed', () => {
    expect(planServices(facts({ hasWork: true, services: { dockerd: on, iotedged: on } }))).toEqual([]);
  });

  it('stops and disables both on a disconnect, the dependant first', () => {
    const steps = planServices(facts({ hasWork: true, plugs: { ...all, 'firewall-control': false }, services: { dockerd: on, iotedged: on } }));
    expect(steps.map((s) => (s.kind === 'service' ? `${s.action} ${s.service} ${s.persist}` : s.kind))).toEqual([
      'stop iotedged true',
      'stop dockerd true',
      'health',
    ]);
  });

  it('starts an enabled but failed iotedged again (after a 153 exit, once the config is fixed)', () => {
    const steps = planServices(facts({ hasWork: true, services: { dockerd: on, iotedged: { enabled: true, active: false } } }), { config: true, daemonJson: false });
    expect(steps[0]).toMatchObject({ kind: 'service', action: 'start', service: 'iotedged' });
  });
});
