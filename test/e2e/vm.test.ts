/**
 * The snap strictly confined, under AppArmor: a qemu VM (test/env/vm-lab.sh: Debian's 6.12 kernel
 * with apparmor=1, sid's snapd 2.77, no network device), the snap installed without --devmode:
 * profiles enforced, services gated; its interfaces connected, the engine up; cs-file from /root
 * and from a user's home (home plug); a deployment of a locally built image (imported into the
 * snap's engine: no registry is reachable) running, `iotedge list`, `azure-iot-edge.docker ps`;
 * kill -9 of dockerd and of edged healed; a reboot of the VM (services and modules back by
 * themselves); `snap remove`. The kernel log's AppArmor and seccomp denials of the snap are
 * collected; any not explained in docs/snap.md fails the test. Nothing is skipped: if the VM
 * cannot boot, the test fails saying why.
 *
 * Slow by nature (TCG emulation when KVM cannot run a guest): the images (the seeded one with the
 * stand-in snaps installed) are cached under .tmp/vm-lab; figures go to .tmp/vm-figures.json, the
 * denials to .tmp/vm-denials.txt, the snap's journal to .tmp/vm-journal.txt. It does not use the
 * container lab, so it takes no lab lock.
 */
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GRACEFUL_CMD, deployment } from '../helpers/deployment';
import { COMMON, ROOT, SNAP } from '../helpers/snapd-lab';
import { GUEST_FILES, VM_LAB_SH, Vm, host, q, untilVm } from '../helpers/vm-lab';

const WORK = path.join(ROOT, '.tmp', 'vm-e2e');
const vm = new Vm(path.join(WORK, 'run'));
const MIN = 60_000;
const IMAGE = 'edge-e2e/sensor:1';
const USER = 'labuser'; // made by vm-lab.sh, with a home
const KEY = Buffer.from('vm-e2e-device-key-0123456789abc!').toString('base64');
const cs = (device: string) => `HostName=fake-hub.azure-devices.net;DeviceId=${device};SharedAccessKey=${KEY}\n`;
/** What the engine needs (network and network-bind connect by themselves), and home for cs-file in /home. */
const CONNECT = ['docker-support', 'firewall-control', 'network-control', 'home'];

/**
 * Denials that are expected and harmless, each explained in docs/snap.md ("Strict confinement").
 * Anything else the snap is denied fails the last test.
 */
interface Explained {
  /** The denial line. */
  denial: RegExp;
  /** When set, the kernel's other records of the same event (SYSCALL, PATH) must match too. */
  records?: RegExp;
  why: string;
}
const EXPLAINED: Explained[] = [
  { denial: /type=1326 .*comm="node" .*syscall=330 /, why: "seccomp: Node's pkey_alloc at start (the call fails, Node carries on without memory protection keys)" },
  {
    denial: /apparmor="DENIED" operation="capable" .*profile="snap\.azure-iot-edge\.iotedged" .*comm="node" .*capname="dac_override"/,
    records: /type=1300 .* syscall=42 success=no exit=-13 .*comm="node" exe="\/snap\/azure-iot-edge\/[^/]+\/bin\/node"/,
    why:
      "edged's connect() to docker.sock in the instant a new dockerd has made it with mode 0000 (moby creates its sockets under umask 0777, then chmods them 0660): root would need DAC override, which the profile rightly lacks; edged gets EACCES, as for an engine not up yet, and retries",
  },
];

jest.setTimeout(45 * MIN);

const figures: Record<string, number | string> = {};
/** Per hang case: the health's logged changes, seconds after the fault (guest clock). */
const healthOverTime: Record<string, [number, string][]> = {};
let snapFile = '';

const sensorRunning = async () => /^sensor\s+running/m.test(await vm.listed()) && (await vm.running('sensor'));
const enginePid = async () => Number((await vm.must(`cat ${COMMON}/run/docker.pid`)).trim());
const reportedRestarts = async () =>
  (JSON.parse(await vm.must(`cat ${COMMON}/var/lib/aziot/edged/reported-state.json`)) as { modules?: Record<string, { restartCount?: number }> }).modules?.sensor
    ?.restartCount;
const healthOkay = (when: string) =>
  untilVm(async () => (await vm.health()) === 'okay', `health okay ${when}`, 10 * MIN, 5000).catch(async (e: Error) => {
    throw new Error(`${e.message} (now: ${await vm.health()})`);
  });
const bothActive = async () => {
  const s = await vm.services();
  return s.dockerd?.current === 'active' && s.iotedged?.current === 'active';
};

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'snap', 'hook-main.js'))) throw new Error('dist/ is not built: run `make build` (make test does) before the e2e test');
  const t0 = Date.now();
  const prepared = Object.fromEntries(host(VM_LAB_SH, ['prepare'], 60 * MIN).trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2))) as { ACCEL: string };
  figures.prepareMs = Date.now() - t0;
  figures.accel = prepared.ACCEL;
  snapFile = host(path.join(ROOT, 'snap', 'local', 'build.sh'), [path.join(WORK, 'build')]).trim().split('\n').pop()!;
  const rootfs = path.join(WORK, 'sensor-rootfs.tar');
  host(path.join(ROOT, 'test', 'env', 'build-images.sh'), ['--rootfs-tar', rootfs]);
  vm.reset({ [`${SNAP}.snap`]: snapFile, 'sensor-rootfs.tar': rootfs });
  const t1 = Date.now();
  vm.boot();
  await vm.booted(25 * MIN);
  figures.firstBootToAgentMs = Date.now() - t1;
}, 120 * MIN);

afterAll(async () => {
  if (!vm.dead()) {
    const journal = await vm.sh(`journalctl -b all --no-pager -o short-monotonic -u snap.${SNAP}.dockerd -u snap.${SNAP}.iotedged`).catch(() => undefined);
    if (journal) writeFileSync(path.join(ROOT, '.tmp', 'vm-journal.txt'), journal.out);
  }
  writeFileSync(path.join(ROOT, '.tmp', 'vm-figures.json'), JSON.stringify({ ...figures, steps, healthOverTime }, null, 2) + '\n');
  console.log(`vm figures: ${JSON.stringify(figures)}`);
  if (process.env.KEEP_VM_LAB !== '1') vm.stop();
});

// Each case's wall time (figures.steps), to see where the VM part's time goes.
// Each case's guest start time (caseStarts), to name the case an unexplained denial came in.
let stepStart = 0;
const steps: Record<string, number> = {};
const caseStarts: Array<[number, string]> = [];
const caseName = () => (expect.getState().currentTestName ?? '?').replace(/^the snap strictly confined under AppArmor \(VM\) /, '').slice(0, 60);
beforeEach(async () => {
  stepStart = Date.now();
  const guest = await vm.now().catch(() => undefined);
  if (guest !== undefined) caseStarts.push([guest, caseName()]);
});
afterEach(() => {
  steps[caseName()] = Date.now() - stepStart;
});

/**
 * A denial with what explains it: the case it came in, the kernel's other records of the same
 * event (SYSCALL, CWD, PATH: the file and its owner, with audit=1) and the services' journal around it.
 */
/** The kernel's records of one audit event: the denial and its SYSCALL, CWD, PATH, PROCTITLE. */
async function eventRecords(denial: string): Promise<string> {
  const stamp = /audit\((\d+(?:\.\d+)?):(\d+)\)/.exec(denial);
  return stamp ? (await vm.sh(`journalctl -k -b all --no-pager -o cat | grep -F ${q(stamp[0])}`)).out : '';
}

async function isExplained(denial: string): Promise<boolean> {
  for (const e of EXPLAINED) {
    if (!e.denial.test(denial)) continue;
    if (!e.records || e.records.test(await eventRecords(denial))) return true;
  }
  return false;
}

async function denialContext(denial: string): Promise<string> {
  const stamp = /audit\((\d+(?:\.\d+)?):(\d+)\)/.exec(denial);
  if (!stamp) return denial;
  const at = Number(stamp[1]);
  const during = caseStarts.filter(([t]) => t <= at).pop()?.[1] ?? 'before the first case';
  const records = await eventRecords(denial);
  const around = await vm.sh(
    `journalctl -b all --no-pager -o short-unix --since @${(at - 5).toFixed(3)} --until @${(at + 2).toFixed(3)} -u snap.${SNAP}.dockerd -u snap.${SNAP}.iotedged`,
  );
  return [`during: ${during}`, records.trim(), '-- journal, 5 s before to 2 s after:', around.out.trim()].join('\n');
}

describe('the snap strictly confined under AppArmor (VM)', () => {
  it('runs a kernel with AppArmor enforcing and snapd 2.77 using it, the stand-in snaps installed', async () => {
    expect((await vm.must('cat /sys/module/apparmor/parameters/enabled')).trim()).toBe('Y');
    const t0 = Date.now();
    await vm.must('snap wait system seed.loaded', 15 * MIN);
    figures.agentToSeededMs = Date.now() - t0;
    expect(await vm.must('snap debug sandbox-features')).toMatch(/^apparmor: .*kernel:/m);
    const version = await vm.must('snap version');
    figures.snapd = /^snapd\s+(\S+)/m.exec(version)?.[1] ?? 'unknown';
    expect(version).toMatch(/^snapd\s+2\.77/m);
    expect(await vm.must('snap list')).toMatch(/^core24\s.*\n(.*\n)*snapd\s+stub1/m);
  });

  it('installs strictly (no --devmode): profiles enforced, services disabled and inactive', async () => {
    const t0 = Date.now();
    await vm.must(`snap install --dangerous ${GUEST_FILES}/${SNAP}.snap`, 30 * MIN);
    figures.snapInstallMs = Date.now() - t0;
    expect(await vm.must(`snap list ${SNAP}`)).not.toMatch(/devmode|jailmode|classic/);
    figures.confinement = (await vm.must('snap debug confinement')).trim();
    expect(await vm.must(`grep '^confinement:' /snap/${SNAP}/current/meta/snap.yaml`)).toMatch(/^confinement: strict$/m);
    const profiles = await vm.must(`grep 'snap.${SNAP}\\.' /sys/kernel/security/apparmor/profiles`);
    expect(profiles).toMatch(/snap\.azure-iot-edge\.dockerd \(enforce\)/);
    expect(profiles).not.toMatch(/\(complain\)/);
    expect(await vm.services()).toEqual({
      dockerd: { startup: 'disabled', current: 'inactive' },
      iotedged: { startup: 'disabled', current: 'inactive' },
    });
  });

  it('starts the engine strictly confined once its plugs are connected', async () => {
    const t0 = Date.now();
    for (const plug of CONNECT) {
      const t = Date.now();
      await vm.must(`snap connect ${SNAP}:${plug}`, 30 * MIN);
      figures[`connect-${plug}Ms`] = Date.now() - t;
    }
    const t1 = Date.now();
    const info = await untilVm(
      async () => {
        const r = await vm.app('docker', 'info', '--format', '{{.DockerRootDir}} {{.Driver}}');
        return r.code === 0 && r.out.trim();
      },
      'the snap engine answering',
      20 * MIN,
    );
    figures.connectedToEngineAnsweringMs = Date.now() - t1;
    figures.connectsToEngineAnsweringMs = Date.now() - t0;
    expect(info).toBe(`${COMMON}/var/lib/docker overlay2`);
    expect((await vm.services()).dockerd).toEqual({ startup: 'enabled', current: 'active' });
    // Started once: no restart by a start deadline on the way up.
    const journal = await vm.must(`journalctl --no-pager -o cat -u snap.${SNAP}.dockerd`);
    expect(journal).not.toMatch(/restarting it|did not create/);
    expect((await vm.must(`ip -br addr show aziotbr0`))).toMatch(/10\.231\.\d+\.\d+\/24/);
  });

  it('takes cs-file from /root, then from a home (home plug), and runs iotedged', async () => {
    const t0 = Date.now();
    await vm.put('cs-root.txt', cs('vm-root'), '/root/cs.txt');
    await vm.must(`snap set ${SNAP} cs-file=/root/cs.txt`, 10 * MIN);
    await untilVm(bothActive, 'both services active', 15 * MIN);
    await untilVm(async () => (await vm.app('iotedge', 'list')).code === 0, 'the management API answering (iotedge list)', 15 * MIN);
    figures.csFileToListAnsweringMs = Date.now() - t0;
    const config = `${COMMON}/etc/aziot/config.toml`;
    expect((await vm.must(`grep -c 'DeviceId=vm-root;' ${config}`)).trim()).toBe('1');
    // The user's own file, 0600: the hook (root) reads it through the home plug (read: all).
    const home = await vm.put('cs-home.txt', cs('vm-home'), `/home/${USER}/cs.txt`, USER);
    await vm.must(`snap set ${SNAP} cs-file=${home}`, 10 * MIN);
    expect((await vm.must(`grep -c 'DeviceId=vm-home;' ${config}`)).trim()).toBe('1');
    await untilVm(async () => (await vm.app('iotedge', 'list')).code === 0, 'iotedge list answering after the new credentials', 15 * MIN);
  });

  it('runs a deployment of a locally built image: iotedge list, azure-iot-edge.docker ps', async () => {
    await vm.must(`/snap/bin/${SNAP}.docker import --change ${q('CMD ["/bin/sh"]')} --change 'ENV PATH=/bin' - ${IMAGE} <${GUEST_FILES}/sensor-rootfs.tar`, 10 * MIN);
    const file = await vm.put('deployment.json', deployment({ sensor: { image: IMAGE, cmd: GRACEFUL_CMD } }, { shape: 'hub' }), '/root/deployment.json');
    const t0 = Date.now();
    await vm.must(`snap set ${SNAP} deployment-file=${file}`, 10 * MIN);
    await untilVm(sensorRunning, '`iotedge list` showing the sensor module running', 15 * MIN);
    figures.deploymentToModuleRunningMs = Date.now() - t0;
    expect((await vm.app('docker', 'ps', '--format', '{{.Names}} {{.Image}}')).out).toMatch(new RegExp(`^sensor ${IMAGE}$`, 'm'));
  });

  it("heals kill -9 of the snap's dockerd (live-restore: the module keeps running)", async () => {
    const pid = Number((await vm.must(`cat ${COMMON}/run/docker.pid`)).trim());
    const t0 = Date.now();
    await vm.must(`kill -9 ${pid}`);
    await untilVm(
      async () => (await vm.sh(`cat ${COMMON}/run/docker.pid`)).out.trim() !== String(pid) && (await vm.app('docker', 'version')).code === 0,
      'a new dockerd answering',
      15 * MIN,
    );
    figures.dockerdKill9ToEngineMs = Date.now() - t0;
    await untilVm(sensorRunning, 'the sensor module running after the engine came back', 15 * MIN);
    figures.dockerdKill9ToModulesMs = Date.now() - t0;
  });

  it('heals kill -9 of edged', async () => {
    const [pid] = await vm.pids('app/bin/edged');
    expect(pid).toBeGreaterThan(0);
    const t0 = Date.now();
    await vm.must(`kill -9 ${pid}`);
    await untilVm(
      async () => {
        const now = await vm.pids('app/bin/edged');
        return now.length === 1 && now[0] !== pid && (await vm.app('iotedge', 'list')).code === 0;
      },
      'a new edged answering',
      15 * MIN,
    );
    figures.edgedKill9ToListMs = Date.now() - t0;
    await untilVm(sensorRunning, 'the sensor module listed running', 10 * MIN);
  });

  it("heals a hang of the snap's dockerd (SIGSTOP): engine replaced, edged not blamed, module in the same container, health engine-hang then okay", async () => {
    const ids = await vm.containerIds();
    const edged = await vm.pids('app/bin/edged');
    const pid = await enginePid();
    const since = await vm.now();
    const t0 = Date.now();
    await vm.must(`kill -STOP ${pid}`);
    try {
      await untilVm(async () => (await vm.sh(`kill -0 ${pid}`)).code !== 0, 'the frozen dockerd replaced', 10 * MIN);
      figures.dockerdSigstopToReplacedMs = Date.now() - t0;
    } finally {
      await vm.sh(`kill -CONT ${pid} 2>/dev/null`);
    }
    await untilVm(async () => (await vm.app('docker', 'version')).code === 0 && sensorRunning(), 'the new engine answering, the module running', 10 * MIN);
    figures.dockerdSigstopToModuleMs = Date.now() - t0;
    await healthOkay('after the dockerd hang');
    figures.dockerdSigstopToOkayMs = Date.now() - t0;
    healthOverTime.dockerdSigstop = await vm.healthHistory(since);
    expect(await vm.journal(since)).toMatch(/snap health: (error|waiting) \[engine-hang\]/);
    expect(await vm.containerIds()).toEqual(ids);
    expect(await vm.pids('app/bin/edged')).toEqual(edged);
  });

  it('heals a hang of edged (SIGSTOP): replaced, the module untouched, health edged-hang then okay', async () => {
    const ids = await vm.containerIds();
    const [pid] = await vm.pids('app/bin/edged');
    const since = await vm.now();
    const t0 = Date.now();
    await vm.must(`kill -STOP ${pid}`);
    try {
      await untilVm(
        async () => {
          const now = await vm.pids('app/bin/edged');
          return now.length === 1 && now[0] !== pid && (await vm.app('iotedge', 'list')).code === 0;
        },
        'a new edged answering',
        10 * MIN,
      );
      figures.edgedSigstopToNewEdgedAnsweringMs = Date.now() - t0;
    } finally {
      await vm.sh(`kill -CONT ${pid} 2>/dev/null`);
    }
    await untilVm(sensorRunning, 'the sensor module listed running', 10 * MIN);
    await healthOkay('after the edged hang');
    figures.edgedSigstopToOkayMs = Date.now() - t0;
    healthOverTime.edgedSigstop = await vm.healthHistory(since);
    expect(await vm.journal(since)).toMatch(/snap health: error \[edged-hang\]/);
    expect(await vm.containerIds()).toEqual(ids);
  });

  it("heals a stop (SIGSTOP) of the dockerd service's supervisor: the iotedged supervisor, in another profile, sees it and kills it; the engine is adopted", async () => {
    const ids = await vm.containerIds();
    const engine = await enginePid();
    const [sup] = await vm.pids('snap-service dockerd');
    const since = await vm.now();
    const t0 = Date.now();
    await vm.must(`kill -STOP ${sup}`);
    try {
      await untilVm(async () => {
        const now = await vm.pids('snap-service dockerd');
        return now.length === 1 && now[0] !== sup;
      }, 'a new dockerd supervisor', 10 * MIN);
      figures.dockerdSupervisorSigstopToNewMs = Date.now() - t0;
    } finally {
      await vm.sh(`kill -CONT ${sup} 2>/dev/null`);
    }
    await untilVm(sensorRunning, 'the sensor module listed running', 10 * MIN);
    await healthOkay('after the supervisor stop');
    figures.dockerdSupervisorSigstopToOkayMs = Date.now() - t0;
    expect(await vm.journal(since)).toMatch(new RegExp(`the dockerd service's supervisor \\(pid ${sup}\\) is stopped`));
    expect(await enginePid()).toBe(engine);
    expect(await vm.containerIds()).toEqual(ids);
  });

  it('snap restart: services back, the module in the same container, restart count kept, health okay', async () => {
    const ids = await vm.containerIds();
    const before = await reportedRestarts();
    const t0 = Date.now();
    await vm.must(`snap restart ${SNAP}`, 15 * MIN);
    figures.snapRestartCommandMs = Date.now() - t0;
    await untilVm(async () => (await bothActive()) && sensorRunning(), 'both services and the module running after the restart', 15 * MIN);
    figures.snapRestartToModuleMs = Date.now() - t0;
    await healthOkay('after snap restart');
    expect(await vm.containerIds()).toEqual(ids);
    expect(await reportedRestarts()).toBe(before);
  });

  it('refresh (the same snap installed again: a new revision): services back, the module in the same container, config kept', async () => {
    const ids = await vm.containerIds();
    const before = await reportedRestarts();
    const config = await vm.must(`cat ${COMMON}/etc/aziot/config.toml`);
    const revision = async () => (await vm.must(`readlink /snap/${SNAP}/current`)).trim();
    const old = await revision();
    const t0 = Date.now();
    await vm.must(`snap install --dangerous ${GUEST_FILES}/${SNAP}.snap`, 30 * MIN);
    figures.refreshCommandMs = Date.now() - t0;
    expect(await revision()).not.toBe(old);
    expect(await vm.must(`snap list ${SNAP}`)).not.toMatch(/devmode|jailmode|classic/);
    await untilVm(async () => (await bothActive()) && sensorRunning(), 'both services and the module running after the refresh', 15 * MIN);
    figures.refreshToModuleMs = Date.now() - t0;
    await healthOkay('after the refresh');
    expect(await vm.containerIds()).toEqual(ids);
    expect(await reportedRestarts()).toBe(before);
    expect(await vm.must(`cat ${COMMON}/etc/aziot/config.toml`)).toBe(config);
  });

  it('comes back after a reboot of the VM: services and the module by themselves', async () => {
    const before = (await vm.must('cat /proc/sys/kernel/random/boot_id')).trim();
    const t0 = Date.now();
    vm.stop();
    figures.shutdownMs = Date.now() - t0;
    const t1 = Date.now();
    vm.boot();
    expect(await vm.booted(25 * MIN)).not.toBe(before);
    figures.rebootToAgentMs = Date.now() - t1;
    await untilVm(async () => (await bothActive()) && sensorRunning(), 'both services and the sensor module running after the reboot', 25 * MIN);
    figures.rebootToModulesRunningMs = Date.now() - t1;
    // Where the guest's boot goes (not asserted): .tmp/vm-boot-blame.txt.
    const blame = await vm.sh('systemd-analyze time; systemd-analyze blame --no-pager | head -20');
    writeFileSync(path.join(ROOT, '.tmp', 'vm-boot-blame.txt'), blame.out);
  });

  it('is removed: no engine or edged left, bridge gone', async () => {
    const t0 = Date.now();
    // --purge: no automatic snapshot of $SNAP_COMMON (the engine's images and containers).
    await vm.must(`snap remove --purge ${SNAP}`, 20 * MIN);
    figures.removeMs = Date.now() - t0;
    expect((await vm.sh(`snap list ${SNAP}`)).code).not.toBe(0);
    await untilVm(async () => (await vm.pids(`snap-service|app/bin/edged|/snap/${SNAP}/`)).length === 0, 'no snap processes left', 5 * MIN);
    expect((await vm.sh('ip link show aziotbr0')).code).not.toBe(0);
  });

  it('has no unexplained AppArmor or seccomp denial of the snap in the kernel log', async () => {
    // Both boots: the journal keeps the first boot's kernel log too.
    const log = await vm.must(`journalctl -k -b all --no-pager -o cat 2>/dev/null | grep -E 'apparmor="DENIED"|type=1326|audit: seccomp' | grep -E 'snap\\.${SNAP}\\.' || true`);
    const denials = log.split('\n').filter(Boolean);
    writeFileSync(path.join(ROOT, '.tmp', 'vm-denials.txt'), denials.join('\n') + '\n');
    figures.denials = denials.length;
    const unexplained: string[] = [];
    for (const d of denials) if (!(await isExplained(d))) unexplained.push(d);
    const described: string[] = [];
    for (const d of unexplained) described.push(await denialContext(d));
    if (described.length) writeFileSync(path.join(ROOT, '.tmp', 'vm-denials-unexplained.txt'), described.join('\n\n') + '\n');
    expect(described).toEqual([]);
  });
});
