/**
 * From image to provisioned snap, with the real pieces that can run here: the drop-in taken out
 * of a customized Ubuntu Core image (mtools), checked by Debian's cloud-init schema, written by
 * cloud-init's own write_files module, then imported by the snap's install hook (fake snapctl,
 * real files) into config.toml. The NoCloud user-data of a classic image passes the same check.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { customizeImage } from '../../../src/images/customize';
import { parseDeviceInput } from '../../../src/images/device/spec';
import { runHook } from '../../../src/snap/hook-main';
import { snapPaths } from '../../../src/snap/paths';
import { Snapctl } from '../../../src/snap/snapctl';
import { memoryLogger } from '../../../src/util/log';
import { cloudInitSchema, cloudInitWriteFiles } from '../../helpers/cloud-init';
import { makeClassicImage, makeCoreImage, mtype, xzDecompressFile, type TestImage } from '../../helpers/disk-images';
import { CONNECTION_STRING, DEPLOYMENT } from '../../helpers/image-devices';
import { fakeSnapd } from '../../helpers/fake-snapctl';

let dir: string;
beforeAll(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-cloud-init-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function customized(base: TestImage, device: object, name: string): Promise<string> {
  const out = path.join(dir, `${name}.img.xz`);
  await customizeImage({ basePath: base.path, spec: parseDeviceInput({ name, ...device }), sink: (s) => pipeline(s, fs.createWriteStream(out)) });
  xzDecompressFile(out, `${out}.raw`);
  return `${out}.raw`;
}

it("Debian's cloud-init accepts the Ubuntu Core drop-in, writes the provisioning file 0600, and the snap imports it", async () => {
  const base = makeCoreImage(dir, { grade: 'dangerous' });
  const raw = await customized(base, { connectionString: CONNECTION_STRING, hostname: 'edge-9', wifi: { ssid: 'lab', passphrase: 'wifi-passphrase' }, deployment: DEPLOYMENT }, 'edge-9');
  const dropIn = path.join(dir, '90-azure-iot-edge.cfg');
  fs.writeFileSync(dropIn, mtype(raw, base.fat, 'data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg'));
  const schema = cloudInitSchema(dropIn);
  expect(schema.output).toContain('Valid cloud-config');
  expect(schema.ok).toBe(true);

  const root = path.join(dir, 'device');
  cloudInitWriteFiles(dropIn, root);
  const common = path.join(root, 'var/snap/azure-iot-edge/common');
  expect(fs.statSync(path.join(common, 'provisioning.json')).mode & 0o777).toBe(0o600);

  const snapd = fakeSnapd();
  const deps = { snapctl: new Snapctl(snapd.exec), paths: snapPaths(path.join(root, 'snap'), common), snapName: 'azure-iot-edge', logger: memoryLogger(), hostname: 'localhost' };
  await runHook('install', deps);
  const config = fs.readFileSync(deps.paths.configFile, 'utf8');
  expect(config).toContain(`connection_string = "${CONNECTION_STRING}"`);
  expect(config).toContain('hostname = "edge-9"');
  expect(JSON.parse(fs.readFileSync(deps.paths.deploymentCopy, 'utf8'))).toEqual(DEPLOYMENT);
  expect(fs.existsSync(path.join(common, 'provisioning.json'))).toBe(false);
});

it("Debian's cloud-init accepts a classic image's NoCloud user-data", async () => {
  const base = makeClassicImage(dir);
  const raw = await customized(base, { connectionString: CONNECTION_STRING, hostname: 'pi-9' }, 'pi-9');
  const userData = path.join(dir, 'user-data');
  fs.writeFileSync(userData, mtype(raw, base.fat, 'user-data'));
  expect(cloudInitSchema(userData)).toMatchObject({ ok: true });
});
