/** What the device connection-string parser says about the strings users paste by mistake. */
import { parseDeviceConnectionString, unquoteConnectionString } from '../../../src/config/connection-string';
import { manualProvisioningConfig } from '../../../src/config/mp';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const GOOD = `HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=${KEY}`;
const problemOf = (s: string) => {
  const r = parseDeviceConnectionString(s);
  return r.ok ? undefined : r.problem;
};

describe('device connection string messages', () => {
  it.each(['', '   ', '\n\t', '""', "' '"])('an empty string (%j) says it is empty', (s) => {
    expect(problemOf(s)).toBe('the connection string is empty');
  });

  it('an IoT Hub policy string says so and asks for the device connection string, without the key', () => {
    const p = problemOf(`HostName=h.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`);
    expect(p).toMatch(/IoT Hub policy connection string \(SharedAccessKeyName\); give the device's own connection string/);
    expect(p).not.toContain(KEY);
  });

  it.each([`"${GOOD}"`, `'${GOOD}'`, ` "${GOOD}" `])('one pair of surrounding quotes is removed: %s', (s) => {
    expect(unquoteConnectionString(s)).toBe(GOOD);
    expect(parseDeviceConnectionString(s)).toEqual({ ok: true, value: { hostName: 'h.azure-devices.net', deviceId: 'd1', sharedAccessKey: KEY } });
  });

  it.each([`"${GOOD}`, `${GOOD}"`, `""${GOOD}""`, `'${GOOD}`, `HostName=h;DeviceId="d1";SharedAccessKey=${KEY}`])('other quotes are named: %s', (s) => {
    expect(problemOf(s)).toBe('the connection string contains quotes; remove them');
  });

  it("a DeviceId with \"'\" (IoT Hub allows it) still parses", () => {
    expect(parseDeviceConnectionString(`HostName=h.azure-devices.net;DeviceId=it's;SharedAccessKey=${KEY}`)).toMatchObject({ ok: true, value: { deviceId: "it's" } });
  });

  it.each([
    [`${GOOD};DeviceId=d2`, 'the connection string has DeviceId twice; give each part once'],
    [`HostName=h.azure-devices.net;DeviceId=a;deviceid=b;SharedAccessKey=${KEY}`, 'the connection string has DeviceId and deviceid; give each part once'],
    [`${GOOD};SharedAccessKey=${KEY}`, 'the connection string has SharedAccessKey twice; give each part once'],
    [`HostName=a.azure-devices.net;${GOOD}`, 'the connection string has HostName twice; give each part once'],
  ])('a part given twice is refused, naming it, never the key: %s', (s, problem) => {
    expect(problemOf(s)).toBe(problem);
  });

  it('iotedge config mp writes the string without its quotes', () => {
    expect(manualProvisioningConfig(`"${GOOD}"`)).toContain(`connection_string = "${GOOD}"`);
    expect(() => manualProvisioningConfig('  ')).toThrow(/^invalid connection string: is empty$/);
  });
});
