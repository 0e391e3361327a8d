/**
 * From image to running edged (issue 11): an Ubuntu Core image of grade dangerous is customized
 * for one device (connection string, host name, an offline deployment), and its cloud-init
 * drop-in, taken out of ubuntu-seed, is given to Debian's real cloud-init inside the snapd lab
 * (SNAPD_LAB_CLOUD_INIT=1), as snapd hands ubuntu-seed's cloud.cfg.d to the system on a
 * dangerous device. At the lab's next boot systemd runs cloud-init (NoCloud), whose write_files
 * leaves the provisioning file 0600 before any service starts; the snap's engine service imports
 * it, and iotedged starts and runs the deployment: nothing typed on the device but the install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { customizeImage } from '../../src/images/customize';
import { parseDeviceInput } from '../../src/images/device/spec';
import { deployment, GRACEFUL_CMD } from '../helpers/deployment';
import { makeCoreImage, mtype, xzDecompressFile } from '../helpers/disk-images';
import { COMMON, holdLabLock, Lab, PLUGS, ROOT, SNAP, until } from '../helpers/snapd-lab';

process.env.SNAPD_LAB_CLOUD_INIT = '1';
const WORK = path.join(ROOT, '.tmp', 'e2e-first-boot');
const lab = new Lab(`aziot-boot-${process.pid}`, WORK);
const IMAGE = 'edge-e2e/sensor:1';
const KEY = Buffer.from('first-boot-device-key-0123456789').toString('base64');
const CS = `HostName=fake-hub.azure-devices.net;DeviceId=first-boot;SharedAccessKey=${KEY}`;
const DROP_IN = '/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg';

jest.setTimeout(20 * 60_000);

let releaseLab = () => undefined as void;
const figures: Record<string, number | string> = {};

beforeAll(async () => {
  releaseLab = await holdLabLock();
  lab.prepare([IMAGE]);
});

afterAll(() => {
  fs.writeFileSync(path.join(ROOT, '.tmp', 'e2e-first-boot-figures.json'), JSON.stringify(figures, null, 2) + '\n');
  if (process.env.KEEP_LAB !== '1') lab.remove();
  releaseLab();
});

/** The image as the image service makes it, and the drop-in read back out of its ubuntu-seed. */
async function dropInOfCustomizedImage(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(WORK, 'image-'));
  const base = makeCoreImage(dir, { grade: 'dangerous' });
  const spec = parseDeviceInput({
    name: 'first-boot',
    connectionString: CS,
    hostname: 'edge-fb',
    deployment: JSON.parse(deployment({ sensor: { image: IMAGE, cmd: GRACEFUL_CMD } })) as object,
  });
  const out = path.join(dir, 'first-boot.img.xz');
  await customizeImage({ basePath: base.path, spec, sink: (s) => pipeline(s, fs.createWriteStream(out)) });
  xzDecompressFile(out, `${out}.raw`);
  return mtype(`${out}.raw`, base.fat, 'data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg');
}

it('installs, and waits for credentials: the engine runs, iotedged does not', async () => {
  lab.must('snap', 'install', '--dangerous', '--devmode', `/snaps/${SNAP}.snap`);
  for (const p of PLUGS) lab.must('snap', 'connect', `${SNAP}:${p}`);
  await until('the engine answering', () => lab.app('docker', 'version').code === 0, 180_000);
  lab.must('cp', '/snaps/images.tar', '/root/images.tar');
  lab.app('docker', 'load', '-i', '/root/images.tar');
  expect(lab.services().iotedged.current).toBe('inactive');
  // With no seed, cloud-init's generator left it out of this boot.
  expect(lab.run('cloud-init', 'status').stdout).toMatch(/status: (disabled|not run)/);
});

it("boots with the image's cloud-init drop-in: cloud-init writes the provisioning file, the snap imports it, edged runs the deployment", async () => {
  const dropIn = await dropInOfCustomizedImage();
  expect(dropIn).toMatch(/^#cloud-config/);
  expect(dropIn).toContain(`${COMMON}/provisioning.json`);
  lab.put('90-azure-iot-edge.cfg', dropIn, DROP_IN);
  // The NoCloud seed a dangerous Ubuntu Core device boots with: its instance, no user-data of its own.
  lab.must('mkdir', '-p', '/var/lib/cloud/seed/nocloud');
  lab.put('meta-data', 'instance-id: first-boot-1\n', '/var/lib/cloud/seed/nocloud/meta-data');
  lab.put('user-data', '#cloud-config\n{}\n', '/var/lib/cloud/seed/nocloud/user-data');

  lab.docker('stop', '-t', '180', lab.name);
  const t0 = Date.now();
  lab.docker('start', lab.name);
  await until('systemd up', () => /running|degraded/.test(lab.run('systemctl', 'is-system-running').stdout), 180_000);
  lab.must('sh', '-c', 'mount --make-rshared / && mount -o remount,rw /sys && systemctl start systemd-udevd');

  await until('cloud-init finished', () => /status: (done|error|degraded)/.test(lab.run('cloud-init', 'status').stdout), 300_000);
  figures.bootToCloudInitDone = Date.now() - t0;
  // `cloud-init status` exits 1 when the status is error: read its answer either way.
  const status = JSON.parse(lab.run('cloud-init', 'status', '--long', '--format', 'json').stdout) as { datasource?: string; errors?: string[] };
  figures.cloudInitStatus = lab.run('cloud-init', 'status').stdout.trim();
  expect(status.datasource).toBe('nocloud');
  // The one module that may fail is the lab's own: cloud-init's default locale step runs
  // update-locale, and a minbase rootfs has no generated en_US.UTF-8. Nothing of the drop-in fails.
  expect((status.errors ?? []).filter((e) => !e.startsWith("('locale',"))).toEqual([]);
  expect(lab.must('grep', '-c', 'write_files', '/var/log/cloud-init.log').trim()).not.toBe('0');

  await until('iotedged active', () => lab.services().iotedged?.current === 'active', 180_000);
  figures.bootToIotedgedActive = Date.now() - t0;
  const config = lab.must('cat', `${COMMON}/etc/aziot/config.toml`);
  expect(config).toContain(`connection_string = "${CS}"`);
  expect(config).toContain('hostname = "edge-fb"');
  expect(lab.must('stat', '-c', '%a', `${COMMON}/etc/aziot/config.toml`).trim()).toBe('600');
  // Imported once: the secret file is gone, the import recorded.
  expect(lab.run('test', '-e', `${COMMON}/provisioning.json`).code).not.toBe(0);
  expect(lab.must('cat', `${COMMON}/etc/aziot/provisioning-imported.json`)).toMatch(/sha256/);
  expect(lab.journal(t0)).toMatch(/imported the provisioning file \(.*connection-string.*\) and removed it/);

  await until('the deployment running', () => /^sensor\s+running/m.test(lab.listed()) && lab.running('sensor'), 180_000);
  figures.bootToModuleRunning = Date.now() - t0;
});
