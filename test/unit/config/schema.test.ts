import * as fs from 'node:fs';
import { parseSuperConfig } from '../../../src/config/load';
import { parseSources, validateParsed } from '../../../src/config/parse';
import { ConfigValidationError } from '../../../src/config/errors';
import { ConfigError, ExitCode } from '../../../src/errors';
import { caseNames, readCase, TEMPLATE } from './cases';

const home = '/var/lib/edged';
const issuesOf = (text: string, file = 'config.toml') => validateParsed(parseSources([{ file, text }]));
const errorOf = (text: string): ConfigValidationError => {
  try {
    parseSuperConfig(text, { home });
  } catch (e) {
    if (e instanceof ConfigValidationError) return e;
    throw e;
  }
  throw new Error('expected the configuration to be refused');
};

describe('the super-config schema', () => {
  it.each(caseNames())('accepts the upstream case %s as well-formed', (name) => {
    const issues = issuesOf(readCase(name, 'super-config.toml'));
    expect(issues.filter((i) => i.kind === 'error')).toEqual([]);
  });

  it.each(caseNames().filter((c) => c !== 'ca-certs-est'))('loads the upstream case %s', (name) => {
    const config = parseSuperConfig(readCase(name, 'super-config.toml'), { home });
    expect(config.hostname).toBe('my-device');
    expect(config.moby_runtime.network).toBe('azure-iot-edge');
  });

  it('refuses the EST case where it would be used, naming the line and the reason', () => {
    const e = errorOf(readCase('ca-certs-est', 'super-config.toml'));
    expect(e.message).toMatch(/^config\.toml:\d+: edge_ca\.method: "est" is not supported by this appliance/);
    expect(e.hint).toMatch(/EST/);
    expect(e.exitCode).toBe(ExitCode.badConfig);
    expect(e).toBeInstanceOf(ConfigError);
  });

  it('accepts the commented template and the empty file with upstream defaults', () => {
    expect(issuesOf(fs.readFileSync(TEMPLATE, 'utf8'))).toEqual([]);
    const c = parseSuperConfig('', { home });
    expect(c.agent.imagePullPolicy).toBe('on-create');
    expect(c.auto_reprovisioning_mode).toBe('Dynamic');
    expect(c.watchdog.max_retries).toBe('infinite');
    // [connect] is kept as given: unset, edgeAgent is told where edged listens.
    expect(c.connect).toEqual({});
    expect(c.listen.management_uri).toBe('unix:///var/lib/edged/mgmt.sock');
    expect(c.image_garbage_collection).toEqual({ enabled: true, recurrenceMs: 86_400_000, thresholdMs: 7 * 86_400_000, cleanupMinutes: 0, startupDelayMs: 300_000 });
  });

  it('names the line and suggests the nearest key for a misspelling', () => {
    const e = errorOf('hostname = "a"\n\n[moby_runtime]\nuri = "unix:///x.sock"\nnetwrk = "n"\n');
    expect(e.message).toBe('config.toml:5: moby_runtime.netwrk: unknown key "netwrk" (did you mean "network"?)');
    expect(e.hint).toMatch(/uri, network, content_trust/);
  });

  it('says what is allowed for an enum', () => {
    const e = errorOf('auto_reprovisioning_mode = "dynamic"\n');
    expect(e.message).toBe('config.toml:1: auto_reprovisioning_mode: "dynamic" is not allowed (did you mean "Dynamic"?)');
    expect(e.hint).toBe('Allowed: "Dynamic", "AlwaysOnStartup", "OnErrorOnly"');
  });

  it('places keys of dotted keys and inline tables, and missing keys at their table', () => {
    const text = '[provisioning]\nsource = "dps"\nid_scope = "x"\n\n[provisioning.attestation]\nmethod = "symmetric_key"\nsymmetric_key = { value = 12 }\n';
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.path.join('.'), i.line])).toEqual([
      ['provisioning.attestation.symmetric_key.value', 7],
      ['provisioning.attestation.registration_id', 5],
    ]);
  });

  it('lists every problem, errors before unsupported ones', () => {
    const e = errorOf('[tpm]\ntcti = "device"\n[agent]\ntype = "podman"\n');
    expect(e.issues.map((i) => i.kind)).toEqual(['error', 'unsupported']);
    expect(e.message).toMatch(/and 1 more problem\)$/);
  });

  it('never echoes a secret', () => {
    const secret = 'c2VjcmV0c2VjcmV0c2VjcmV0';
    const texts = [
      `[provisioning]\nsource = "manual"\nconnection_string = "HostName=h;DeviceId=d;SharedAccessKey=${secret}!"\n`,
      `[provisioning]\nsource = "manual"\nconnection_string = "HostName=h;DeviceId=d;SharedAccessKey=${secret}\n`,
      `[provisioning]\nsource = "manual"\niothub_hostname = "h"\ndevice_id = "d"\n[provisioning.authentication]\nmethod = "sas"\ndevice_id_pk = { value = "${secret}?" }\n`,
      `[agent.config.auth]\npassword = ["${secret}"]\n`,
      `[edge_ca]\nmethod = "est"\npassword = "${secret}"\n`,
      `[provisioning]\nsource = "manual"\niothub_hostname = "h"\ndevice_id = "d"\n[provisioning.authentication]\nmethod = "x509"\nidentity_cert = "file:///c"\nidentity_pk = "pkcs11:object=k?pin-value=${secret}"\n`,
    ];
    for (const text of texts) {
      let thrown: unknown;
      try {
        parseSuperConfig(text, { home });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      const all = JSON.stringify({ m: (thrown as ConfigError).message, h: (thrown as ConfigError).hint, i: (thrown as ConfigValidationError).issues });
      expect(all).not.toContain(secret);
    }
  });

  it('refuses PKCS#11, TPM attestation, EST issuance and [aziot_keys] with a reason, but accepts their empty tables', () => {
    expect(() => parseSuperConfig('[aziot_keys]\n[tpm]\n[cert_issuance]\n[preloaded_keys]\n', { home })).not.toThrow();
    const cases: Array<[string, RegExp]> = [
      ['[aziot_keys]\npkcs11_lib_path = "/usr/lib/p11.so"\n', /aziot_keys\.pkcs11_lib_path: not supported/],
      ['[preloaded_keys]\nk = "pkcs11:object=k"\n', /preloaded_keys\.k: not supported/],
      ['[provisioning]\nsource = "dps"\nid_scope = "s"\n[provisioning.attestation]\nmethod = "tpm"\nregistration_id = "r"\n', /attestation\.method: "tpm" is not supported/],
      ['[cert_issuance.est]\nurls = { default = "https://est" }\n', /cert_issuance\.est: not supported/],
    ];
    for (const [text, expected] of cases) expect(errorOf(text).message).toMatch(expected);
  });

  it('refuses with the reason the keys nothing here honours: preloaded keys/certs, content trust, auto_renew of a preloaded CA', () => {
    expect(() => parseSuperConfig('[preloaded_keys]\n[preloaded_certs]\n[moby_runtime.content_trust]\n', { home })).not.toThrow();
    const cases: Array<[string, RegExp, RegExp]> = [
      ['[preloaded_keys]\nk = "file:///k.pem"\n', /preloaded_keys\.k: not supported/, /no store of preloaded keys or certificates/],
      ['[preloaded_certs]\nc = "file:///c.pem"\n', /preloaded_certs\.c: not supported/, /no store of preloaded keys or certificates/],
      ['[moby_runtime.content_trust.ca_certs]\n"myreg.io" = "file:///ca.pem"\n', /moby_runtime\.content_trust: not supported/, /^Signed-image verification .* is not available/],
    ];
    for (const [text, message, hint] of cases) {
      const e = errorOf(text);
      expect(e.message).toMatch(message);
      expect(e.hint).toMatch(hint);
    }
    expect(errorOf('[edge_ca]\ncert = "file:///c.pem"\npk = "file:///k.pem"\n[edge_ca.auto_renew]\nthreshold = "50%"\n').message).toMatch(
      /edge_ca\.auto_renew: renewal applies to the quickstart Edge CA only/,
    );
    expect(() => parseSuperConfig('[edge_ca.auto_renew]\nthreshold = "50%"\nrotate_key = false\n', { home })).not.toThrow();
    expect(errorOf('[edge_ca]\ncert = "file:///c.pem"\npk = "file:///k.pem"\n[edge_ca.subject]\nCN = "x"\n').message).toMatch(/edge_ca\.subject: a subject applies to the quickstart Edge CA only/);
  });

  it('allows unsupported keys only when asked (import, inspection)', () => {
    const c = parseSuperConfig(readCase('ca-certs-est', 'super-config.toml'), { home, allowUnsupported: true });
    expect(c.auto_reprovisioning_mode).toBe('OnErrorOnly');
  });

  it('validates manual provisioning combinations and the connection string', () => {
    expect(errorOf('[provisioning]\nsource = "manual"\n').message).toMatch(/needs "connection_string"/);
    expect(errorOf('[provisioning]\nsource = "manual"\nconnection_string = "HostName=h;SharedAccessKey=YWJj"\n').message).toMatch(/no DeviceId/);
    expect(errorOf('[provisioning]\nsource = "cloud"\n').hint).toBe('Allowed: "manual", "dps", "none"');
  });

  it('takes our [local_deployment] extension and moby network tables', () => {
    const c = parseSuperConfig('[local_deployment]\nfile = "/d.json"\n[moby_runtime.network]\nname = "n"\nipv6 = true\n', { home });
    expect(c.local_deployment).toEqual({ file: '/d.json' });
    expect(c.moby_runtime.network).toBe('n');
    expect(c.moby_runtime.network_options).toEqual({ ipv6: true });
    expect(errorOf('[local_deployment]\n').message).toBe('config.toml:1: local_deployment.file: missing key "file"');
  });

  it('reports TOML syntax errors with the line and without the text', () => {
    let e: ConfigError | undefined;
    try {
      parseSuperConfig('a = 1\n[provisioning]\nconnection_string = "HostName=x;SharedAccessKey=SECRET\n', { home });
    } catch (err) {
      e = err as ConfigError;
    }
    expect(e?.message).toMatch(/^config\.toml:3: not valid TOML: Unterminated string/);
    expect(JSON.stringify({ m: e?.message, h: e?.hint, c: String((e as { cause?: unknown })?.cause) })).not.toContain('SECRET');
  });
});

describe('1.2-era provisioning keys', () => {
  it('are accepted, so files from older releases still load', () => {
    const c = parseSuperConfig('[provisioning]\nsource = "manual"\nconnection_string = "HostName=h;DeviceId=d;SharedAccessKey=YWJj"\nalways_reprovision_on_startup = true\n', { home: '/h' });
    expect(c.provisioning?.source).toBe('manual');
    expect(c.auto_reprovisioning_mode).toBe('AlwaysOnStartup');
  });
});
