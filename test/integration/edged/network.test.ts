/**
 * `[moby_runtime.network]` as a table (upstream's form): edged creates the module network with
 * its IPv6 setting and address pools, on a real dockerd, when the first module needs it.
 */
import { startEdged, type EdgedUnderTest } from '../../helpers/edged';
import { ManagementClient } from '../../../src/api/management/client/management-client';
import { OWNER_LABEL, OWNER_VALUE } from '../../../src/runtime/types';

// Outside the test engines' pools (10.100-249.x) and apart from a parallel run's.
const third = process.pid % 250;
const v4 = { subnet: `10.99.${third}.0/24`, gateway: `10.99.${third}.1`, ip_range: `10.99.${third}.128/25` };
const v6 = `fd00:99:${third.toString(16)}::/64`;

let edged: EdgedUnderTest;

beforeAll(async () => {
  edged = await startEdged({
    prefix: 'edged-net-',
    toml: [
      '[moby_runtime.network]',
      'name = "edge-table-net"',
      'ipv6 = true',
      '[[moby_runtime.network.ipam.config]]',
      `subnet = "${v4.subnet}"`,
      `gateway = "${v4.gateway}"`,
      `ip_range = "${v4.ip_range}"`,
      '[[moby_runtime.network.ipam.config]]',
      `subnet = "${v6}"`,
    ].join('\n'),
  });
});

afterAll(async () => {
  await edged?.stop();
});

it('creates the network with enable_ipv6 and the IPAM pools, and the module on it inside the range', async () => {
  const created = await new ManagementClient(edged.host).create({
    name: 'netmod',
    type: 'docker',
    imagePullPolicy: 'never',
    config: { image: 'edge-test/busybox:1', createOptions: { Cmd: ['sleep', '300'] } },
    env: {},
  });
  expect(created.name).toBe('netmod');

  const net = await edged.engine.docker.getNetwork('edge-table-net').inspect();
  expect(net.Labels?.[OWNER_LABEL]).toBe(OWNER_VALUE);
  expect(net.EnableIPv6).toBe(true);
  expect(net.IPAM?.Config).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ Subnet: v4.subnet, Gateway: v4.gateway, IPRange: v4.ip_range }),
      expect.objectContaining({ Subnet: v6 }),
    ]),
  );

  await edged.engine.docker.getContainer('netmod').start();
  const info = await edged.engine.docker.getContainer('netmod').inspect();
  const address = info.NetworkSettings.Networks['edge-table-net'].IPAddress;
  expect(Number(address.split('.')[3])).toBeGreaterThanOrEqual(128);
  expect(info.NetworkSettings.Networks['edge-table-net'].GlobalIPv6Address).toMatch(/^fd00:99:/);
});
