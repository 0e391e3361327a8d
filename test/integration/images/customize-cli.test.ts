/**
 * `azure-iot-edge-image customize` on real GPT and MBR images made with sfdisk, mkfs and mtools:
 * the files land in the FAT partition and fsck.vfat finds it clean, every other byte of the
 * disk is the base's, the base file itself is never written, and bad inputs are one line with
 * exit code 2 and no output file.
 */
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { main } from '../../../src/images/cli/main';
import { parseProvisioningFile } from '../../../src/config/provisioning-file';
import { fsckVfat, makeClassicImage, makeCoreImage, mdir, mtype, sha256Range, xzDecompressFile, type TestImage } from '../../helpers/disk-images';
import { CONNECTION_STRING, DEPLOYMENT, GROUP_KEY, x509Pair } from '../../helpers/image-devices';

let dir: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-cli-'));
  // The CLI's default chunk cache goes under $XDG_CACHE_HOME: here, not in root's home.
  process.env.XDG_CACHE_HOME = path.join(dir, 'xdg-cache');
});
afterAll(() => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function deviceFile(name: string, device: object): string {
  const f = path.join(dir, `${name}.json`);
  fs.writeFileSync(f, JSON.stringify(device));
  return f;
}

const sha = (file: string) => sha256Range(file, { offset: 0, size: fs.statSync(file).size });

/** The output decompressed; asserts every byte outside the FAT partition is the base's. */
function unpack(base: TestImage, out: string): string {
  const raw = `${out}.raw`;
  xzDecompressFile(out, raw);
  expect(fs.statSync(raw).size).toBe(fs.statSync(base.path).size);
  for (const o of base.others) expect(sha256Range(raw, o)).toBe(sha256Range(base.path, o));
  const before = { offset: 0, size: base.fat.offset };
  const after = { offset: base.fat.offset + base.fat.size, size: fs.statSync(raw).size - base.fat.offset - base.fat.size };
  expect(sha256Range(raw, before)).toBe(sha256Range(base.path, before));
  expect(sha256Range(raw, after)).toBe(sha256Range(base.path, after));
  const fsck = fsckVfat(raw, base.fat, dir);
  expect(fsck.output).not.toMatch(/differ|wrong|Invalid|Fixing/);
  expect(fsck.ok).toBe(true);
  return raw;
}

function provisioningOf(cloudConfig: string) {
  const doc = yaml.load(cloudConfig.replace(/^#cloud-config\n/, '')) as { write_files: Array<{ path: string; permissions: string; encoding: string; content: string }> };
  const [file] = doc.write_files;
  expect(file).toMatchObject({ path: '/var/snap/azure-iot-edge/common/provisioning.json', permissions: '0600', encoding: 'b64', owner: 'root:root' });
  return { doc, provisioning: parseProvisioningFile(Buffer.from(file.content, 'base64').toString('utf8')) };
}

describe('Ubuntu Core, grade dangerous (GPT, ubuntu-seed)', () => {
  let base: TestImage;
  beforeAll(() => void (base = makeCoreImage(dir, { grade: 'dangerous' })));

  it('writes the cloud-init drop-in with the provisioning file, hostname and wifi; nothing else changes', async () => {
    const baseSha = sha(base.path);
    const out = path.join(dir, 'dev-1.img.xz');
    const device = deviceFile('dev-1', { connectionString: CONNECTION_STRING, hostname: 'edge-1', wifi: { ssid: 'lab net', passphrase: 'wifi-passphrase' }, deployment: DEPLOYMENT });
    const r = await cli('customize', '--base', base.path, '--device', device, '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/grade dangerous.*90-azure-iot-edge\.cfg in partition 2/);
    expect(sha(base.path)).toBe(baseSha);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const raw = unpack(base, out);
    expect(mdir(raw, base.fat, 'data/etc/cloud/cloud.cfg.d')).toContain('90-azure-iot-edge.cfg');
    expect(mtype(raw, base.fat, 'systems/20260101/model')).toContain('grade: dangerous');
    const { doc, provisioning } = provisioningOf(mtype(raw, base.fat, 'data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg'));
    expect(doc).toMatchObject({ hostname: 'edge-1', network: { version: 2, wifis: { wlan0: { 'access-points': { 'lab net': { password: 'wifi-passphrase' } } } } } });
    expect(provisioning.options).toEqual({ 'connection-string': CONNECTION_STRING, hostname: 'edge-1' });
    expect(provisioning.deployment).toEqual(DEPLOYMENT);
  });

  it('takes an .img.xz base, and derives a DPS device key from the group key without writing the group key', async () => {
    const xzBase = `${base.path}.xz`;
    execFileSync('xz', ['-k', '-1', '-T0', base.path]);
    const keyFile = path.join(dir, 'group.key');
    fs.writeFileSync(keyFile, `${GROUP_KEY}\n`);
    const out = path.join(dir, 'dps-1.img.xz');
    const device = deviceFile('dps-1', { dps: { idScope: '0ne00ABCDEF', registrationId: 'edge-dps-1' } });
    const r = await cli('customize', '--base', xzBase, '--device', device, '--dps-group-key-file', keyFile, '-o', out);
    expect(r.stderr).toBe('');
    const raw = unpack(base, out);
    const { provisioning } = provisioningOf(mtype(raw, base.fat, 'data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg'));
    const derived = createHmac('sha256', Buffer.from(GROUP_KEY, 'base64')).update('edge-dps-1').digest('base64');
    expect(provisioning.options['raw-config']).toContain(`value = "${derived}"`);
    expect(provisioning.options['raw-config']).toMatch(/source = "dps"[\s\S]*id_scope = "0ne00ABCDEF"[\s\S]*registration_id = "edge-dps-1"/);
    const image = fs.readFileSync(raw);
    expect(image.includes(GROUP_KEY)).toBe(false);
    expect(image.includes(Buffer.from(GROUP_KEY).toString('base64'))).toBe(false);
    expect(image.includes(Buffer.from(GROUP_KEY, 'base64'))).toBe(false);
  });

  it('reuses the base compressed once for the next images: the same disk as --no-cache, and no device secret in the cache', async () => {
    const cacheDir = path.join(dir, 'chunk-cache');
    const device = deviceFile('cached', { connectionString: CONNECTION_STRING, hostname: 'edge-cached' });
    const [first, second, whole] = ['cached-1', 'cached-2', 'whole'].map((n) => path.join(dir, `${n}.img.xz`));
    expect((await cli('customize', '--base', base.path, '--device', device, '--cache-dir', cacheDir, '-o', first)).stderr).toBe('');
    const [made] = fs.readdirSync(cacheDir);
    const index = path.join(cacheDir, made, 'index.json');
    const builtAt = fs.statSync(index).mtimeMs;
    expect((await cli('customize', '--base', base.path, '--device', device, '--cache-dir', cacheDir, '-o', second)).stderr).toBe('');
    expect(fs.statSync(index).mtimeMs).toBe(builtAt);
    expect((await cli('customize', '--base', base.path, '--device', device, '--no-cache', '--cache-dir', path.join(dir, 'unused'), '-o', whole)).stderr).toBe('');
    expect(fs.existsSync(path.join(dir, 'unused'))).toBe(false);
    // unpack: every byte outside the FAT partition is the base's, and fsck finds the FAT clean;
    // inside it only the file times may differ between two runs.
    const dropIn = 'data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg';
    const written = [first, second, whole].map((o) => mtype(unpack(base, o), base.fat, dropIn));
    expect(written[1]).toBe(written[0]);
    expect(written[2]).toBe(written[0]);
    const cached = path.join(dir, 'cache.raw');
    xzDecompressFile(path.join(cacheDir, made, 'chunks.xz'), cached);
    expect(fs.readFileSync(cached).equals(fs.readFileSync(base.path))).toBe(true);
    expect(fs.readFileSync(cached).includes(CONNECTION_STRING)).toBe(false);
  });

  it('writes an X.509 identity as files the raw config names', async () => {
    const { cert, key } = x509Pair(dir);
    const out = path.join(dir, 'x509-1.img.xz');
    const device = deviceFile('x509-1', { x509: { iothubHostname: 'test-hub.azure-devices.net', deviceId: 'dev-x509', cert, key } });
    expect((await cli('customize', '--base', base.path, '--device', device, '-o', out)).stderr).toBe('');
    const raw = unpack(base, out);
    const { provisioning } = provisioningOf(mtype(raw, base.fat, 'data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg'));
    expect(provisioning.files).toEqual({ 'identity.cert.pem': cert, 'identity.key.pem': key });
    expect(provisioning.options['raw-config']).toContain('identity_pk = "file:///var/snap/azure-iot-edge/common/etc/aziot/provisioned/identity.key.pem"');
  });
});

describe('classic image (MBR, FAT boot partition)', () => {
  it('writes the NoCloud seed: user-data, meta-data, network-config', async () => {
    const base = makeClassicImage(dir);
    const out = path.join(dir, 'pi-1.img.xz');
    const r = await cli('customize', '--base', base.path, '--connection-string-file', writeCs(), '--hostname', 'pi-1', '--device', deviceFile('pi', { wifi: { ssid: 'lab', passphrase: 'wifi-passphrase' } }), '-o', out);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('classic (cloud-init NoCloud)');
    const raw = unpack(base, out);
    expect(mdir(raw, base.fat, '/').split('\n')).toEqual(expect.arrayContaining(['::/config.txt', '::/user-data', '::/meta-data', '::/network-config']));
    expect(mtype(raw, base.fat, 'config.txt')).toBe('[all]\nkernel=vmlinuz\n');
    expect(yaml.load(mtype(raw, base.fat, 'meta-data'))).toEqual({ 'instance-id': 'azure-iot-edge-pi-1', 'local-hostname': 'pi-1' });
    expect(yaml.load(mtype(raw, base.fat, 'network-config'))).toMatchObject({ version: 2, wifis: { wlan0: { 'access-points': { lab: { password: 'wifi-passphrase' } } } } });
    expect(provisioningOf(mtype(raw, base.fat, 'user-data')).provisioning.options['connection-string']).toBe(CONNECTION_STRING);
  });
});

function writeCs(): string {
  const f = path.join(dir, 'cs.txt');
  fs.writeFileSync(f, `${CONNECTION_STRING}\n`);
  return f;
}

describe('refusals: one line, exit 2, no output', () => {
  let core: TestImage;
  beforeAll(() => void (core = makeCoreImage(dir, { grade: 'dangerous', name: 'refusals.img' })));

  const cases: Array<[string, () => string[], RegExp]> = [
    ['a signed model', () => ['--base', makeCoreImage(dir, { grade: 'signed', name: 'signed.img' }).path, '--connection-string-file', writeCs()], /grade signed: snapd ignores cloud-init configuration in ubuntu-seed.*per-device secrets.*provision after first boot/],
    ['a secured model', () => ['--base', makeCoreImage(dir, { grade: 'secured', name: 'secured.img' }).path, '--hostname', 'edge-2'], /grade secured: .*nothing per device.*\(provision after first boot/],
    ['an unknown base', () => ['--base', path.join(dir, 'nope.img'), '--hostname', 'edge-2'], /--base .*nope\.img is not a file/],
    ['a policy connection string', () => ['--base', core.path, '--device', deviceFile('bad-cs', { connectionString: 'HostName=h.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=c2VjcmV0' })], /connectionString: this is an IoT Hub policy connection string/],
    ['a hostname snap set refuses', () => ['--base', core.path, '--hostname', 'bad_host!'], /^azure-iot-edge-image: hostname: /],
    ['an oversized field', () => ['--base', core.path, '--device', deviceFile('big', { hostname: 'a'.repeat(5000) })], /hostname is longer than 255 bytes/],
    ['path characters in the name', () => ['--base', core.path, '--name', '../etc/passwd', '--hostname', 'edge-2'], /name must be 1 to 64 of A-Z/],
    ['a deployment edged refuses', () => ['--base', core.path, '--device', deviceFile('bad-dep', { deployment: { modulesContent: {} } })], /^azure-iot-edge-image: deployment: /],
    ['DPS without the group key', () => ['--base', core.path, '--device', deviceFile('dps-nokey', { dps: { idScope: '0ne00ABCDEF', registrationId: 'r1' } })], /dps needs the enrollment group key/],
    ['two identities', () => ['--base', core.path, '--device', deviceFile('two', { connectionString: CONNECTION_STRING, dps: {} })], /give one identity, not connectionString and dps/],
    ['a truncated base', () => { const t = path.join(dir, 'truncated.img'); fs.copyFileSync(core.path, t); fs.truncateSync(t, 40 * 1024 * 1024); return ['--base', t, '--hostname', 'edge-2']; }, /the base image is truncated: partition 2 ends at byte/],
    ['a truncated .img.xz', () => { const t = path.join(dir, 'trunc.img.xz'); execFileSync('sh', ['-c', 'xz -1 -c "$1" | head -c 20000 > "$2"', 'sh', core.path, t]); return ['--base', t, '--hostname', 'edge-2']; }, /does not decompress: xz failed: .*(Unexpected end|truncated)/],
    ['no partition table', () => { const t = path.join(dir, 'blank.img'); fs.writeFileSync(t, Buffer.alloc(1 << 20)); return ['--base', t, '--hostname', 'edge-2']; }, /no readable partition table|partition table with no partition/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const out = path.join(dir, 'refused.img.xz');
    const r = await cli('customize', ...args(), '-o', out);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('c2VjcmV0');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
