/** The configure plan is pure: facts in, checks and the writes out, no file or snapd touched. */
import { planConfigure, type ConfigureFacts } from '../../../src/snap/configure-plan';
import { parseOptions } from '../../../src/snap/options';
import { snapPaths } from '../../../src/snap/paths';

const paths = snapPaths('/snap/azure-iot-edge/x1', '/var/snap/azure-iot-edge/common');
const CS = `HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=${Buffer.from('key').toString('base64')}`;
const facts = (over: Partial<ConfigureFacts>): ConfigureFacts => ({ options: parseOptions({}), current: {}, applied: {}, paths, hostname: 'box', ...over });
const record = { path: '/root/cs', sha256: 'ab' };

it('a first run writes config.toml, daemon.json and nothing else; no work without credentials', () => {
  const plan = planConfigure(facts({}));
  expect(plan.steps.map((s) => (s.kind === 'write' ? s.what : s.kind))).toEqual(['config.toml', 'daemon.json']);
  expect(plan).toMatchObject({ changes: { config: true, daemonJson: true }, hasWork: false, applied: {}, notes: [] });
});

it('cs-file read: provisioned, its record kept; cs-file gone but unchanged: kept, said so, nothing rewritten', () => {
  const first = planConfigure(facts({ options: parseOptions({ 'cs-file': '/root/cs' }), csFile: { kind: 'read', text: `${CS}\n`, record } }));
  expect(first).toMatchObject({ hasWork: true, applied: { 'cs-file': record } });
  const config = (first.steps.find((s) => s.kind === 'write' && s.what === 'config.toml') as { content: string }).content;
  const daemonJson = (first.steps.find((s) => s.kind === 'write' && s.what === 'daemon.json') as { content: string }).content;
  const again = planConfigure(facts({ options: parseOptions({ 'cs-file': '/root/cs' }), csFile: { kind: 'kept', record }, applied: { 'cs-file': record }, current: { config, daemonJson } }));
  expect(again.steps).toEqual([]);
  expect(again.notes).toEqual(['cs-file /root/cs is gone; it was applied before: keeping the current provisioning']);
  expect(again.hasWork).toBe(true);
});

it.each([
  ['an empty cs-file', { options: parseOptions({ 'cs-file': '/root/cs' }), csFile: { kind: 'read' as const, text: ' \n', record } }, /^cs-file: \/root\/cs is empty$/],
  ['a bad connection string', { options: parseOptions({ 'connection-string': 'HostName=h' }) }, /^connection-string: /],
  ['a bad manifest', { options: parseOptions({ 'deployment-file': '/root/d.json' }), deploymentFile: { kind: 'read' as const, text: '{', record } }, /^deployment-file: /],
  ['a manifest gone with no copy', { options: parseOptions({ 'deployment-file': '/root/d.json' }), deploymentFile: { kind: 'kept' as const, record } }, /does not exist$/],
  ['a raw-config that is not TOML', { options: parseOptions({ 'raw-config': 'x = ' }) }, /^raw-config is not valid TOML/],
])('refuses %s before any write', (_, over, message) => {
  expect(() => planConfigure(facts(over))).toThrow(message);
});
