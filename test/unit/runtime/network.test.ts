import { networkCreateBody } from '../../../src/runtime/docker/network';
import { OWNER_LABEL, OWNER_VALUE } from '../../../src/runtime/types';

describe('networkCreateBody: the module network edged creates', () => {
  it('is a labelled network of that name when given as a name', () => {
    expect(networkCreateBody('azure-iot-edge')).toEqual({ Name: 'azure-iot-edge', CheckDuplicate: true, Labels: { [OWNER_LABEL]: OWNER_VALUE } });
  });

  it("carries upstream's table settings: ipv6 and every ipam pool", () => {
    const body = networkCreateBody('edge6', {
      ipv6: true,
      ipam: { config: [{ subnet: '10.99.1.0/24', gateway: '10.99.1.1', ip_range: '10.99.1.128/25' }, { subnet: 'fd00:1::/64' }] },
    });
    expect(body).toMatchObject({
      Name: 'edge6',
      Labels: { [OWNER_LABEL]: OWNER_VALUE },
      EnableIPv6: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.99.1.0/24', Gateway: '10.99.1.1', IPRange: '10.99.1.128/25' }, { Subnet: 'fd00:1::/64' }] },
    });
  });

  it('leaves out what the table leaves out', () => {
    expect(networkCreateBody('n', { ipv6: false, ipam: { config: [] } })).toEqual({
      Name: 'n',
      CheckDuplicate: true,
      Labels: { [OWNER_LABEL]: OWNER_VALUE },
      EnableIPv6: false,
    });
  });
});
