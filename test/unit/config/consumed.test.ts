import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { superConfigSchema } from '../../../src/config/schema/super-config';
import type { Node } from '../../../src/config/schema/types';

/**
 * Every config.toml key this appliance accepts is read by some code outside src/config (by
 * name: a property access, a destructured or quoted property), or is named below as accepted
 * with no effect, with why. A documented key that silently did nothing (as
 * allow_elevated_docker_permissions once did) fails here. Refused keys (`unsupported`) are left out.
 */
const NO_EFFECT: Record<string, string> = {
  additional_info: 'accepted, no effect: the file is not read (`iotedge check --output json` reports its own additional_info: time, OS, snap)',
  iotedge_max_requests: 'accepted, no effect: the sockets have no concurrency bound (typed, not wired)',
  'iotedge_max_requests.management': 'accepted, no effect (see iotedge_max_requests)',
  'iotedge_max_requests.workload': 'accepted, no effect (see iotedge_max_requests)',
  aziot_max_requests: 'the identity services\' own bound; there are none here: accepted, no effect',
  'aziot_max_requests.keyd': 'see aziot_max_requests',
  'aziot_max_requests.certd': 'see aziot_max_requests',
  'aziot_max_requests.identityd': 'see aziot_max_requests',
  'aziot_max_requests.tpmd': 'see aziot_max_requests',
  'listen.min_tls_version': 'accepted, no effect: the sockets are unix sockets, without TLS',
  'edge_ca.auto_renew.retry': 'accepted, no effect: a failed renewal is retried at the next check (threshold and rotate_key are honoured)',
  'edge_ca.common_name': 'for an issued Edge CA, whose issuance (EST, local CA) is refused',
  'edge_ca.expiry_days': 'for an issued Edge CA, whose issuance (EST, local CA) is refused',
  'agent.config.auth.serveraddress': "passed whole to the engine as edgeAgent's registry credentials",
  'agent.config.auth.email': "passed whole to the engine as edgeAgent's registry credentials",
  'agent.config.auth.identitytoken': "passed whole to the engine as edgeAgent's registry credentials",
  'agent.config.auth.registrytoken': "passed whole to the engine as edgeAgent's registry credentials",
  aziot_keys: 'a container: every value in it is refused (PKCS#11)',
  preloaded_keys: 'a container: every value in it is refused',
  cert_issuance: 'a container: EST and local CA issuance in it are refused',
  preloaded_certs: 'a container: every value in it is refused',
  tpm: 'a container: every key in it is refused (no TPM)',
  'provisioning.authentication.identity_cert.common_name': 'an issued identity certificate: refused where used (identity_cert must be a file:// URI)',
  'provisioning.authentication.identity_cert.expiry_days': 'as provisioning.authentication.identity_cert.common_name',
  'provisioning.authentication.identity_cert.auto_renew.retry': 'as provisioning.authentication.identity_cert.common_name',
  'provisioning.attestation.identity_cert.common_name': 'an issued identity certificate: refused where used (identity_cert must be a file:// URI)',
  'provisioning.attestation.identity_cert.expiry_days': 'as provisioning.attestation.identity_cert.common_name',
  'provisioning.attestation.identity_cert.auto_renew.retry': 'as provisioning.attestation.identity_cert.common_name',
  'provisioning.attestation.auto_renew.retry': 'accepted, no effect (as edge_ca.auto_renew.retry)',
};

/** Keys src/config itself turns into another typed field, which is what the rest reads. */
const READ_AS: Record<string, string> = {
  local_gateway_hostname: 'parent_hostname',
  'provisioning.always_reprovision_on_startup': 'auto_reprovisioning_mode',
  'provisioning.dynamic_reprovisioning': 'auto_reprovisioning_mode',
  'image_garbage_collection.startup_delay': 'startupDelayMs',
  'image_garbage_collection.cleanup_recurrence': 'recurrenceMs',
  'image_garbage_collection.image_age_cleanup_threshold': 'thresholdMs',
  'image_garbage_collection.cleanup_time': 'cleanupMinutes',
};

const src = path.resolve(__dirname, '../../../src');

/** Dotted paths of the keys the schema accepts, with the key's own name. */
function keys(node: Node, prefix: string[] = []): Array<{ path: string; name: string }> {
  if (node.unsupported) return [];
  const here = prefix.length ? [{ path: prefix.join('.'), name: prefix[prefix.length - 1] }] : [];
  switch (node.type) {
    case 'table': {
      const fields = { ...node.fields };
      for (const v of Object.values(node.tag?.variants ?? {})) if (!v.unsupported) Object.assign(fields, v.fields);
      return [...here, ...Object.entries(fields).flatMap(([k, n]) => keys(n, [...prefix, k]))];
    }
    case 'map':
      return [...here, ...keys(node.values, [...prefix, '*']).filter((k) => k.name !== '*')];
    case 'array':
      return [...here, ...keys(node.items, prefix).filter((k) => k.path !== prefix.join('.'))];
    case 'either':
      return [...here, ...node.options.flatMap((o) => keys(o, prefix).filter((k) => k.path !== prefix.join('.')))];
    default:
      return here;
  }
}

/** Property names read anywhere in src/ outside src/config. */
function namesRead(): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAccessExpression(n)) names.add(n.name.text);
    else if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression)) names.add(n.argumentExpression.text);
    else if (ts.isBindingElement(n)) {
      const p = n.propertyName ?? n.name;
      if (ts.isIdentifier(p) || ts.isStringLiteralLike(p)) names.add(p.text);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.InKeyword && ts.isStringLiteralLike(n.left)) names.add(n.left.text);
    ts.forEachChild(n, visit);
  };
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== path.join(src, 'config')) walk(p);
      } else if (e.name.endsWith('.ts')) visit(ts.createSourceFile(p, fs.readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true));
    }
  };
  walk(src);
  return names;
}

const accepted = keys(superConfigSchema);
const read = namesRead();

it('reads every accepted key somewhere outside src/config, or names it as accepted with no effect', () => {
  const unread = accepted.filter((k) => !read.has(k.path in READ_AS ? READ_AS[k.path] : k.name) && !(k.path in NO_EFFECT)).map((k) => k.path);
  expect(unread).toEqual([]);
});

it('names no key as without effect that is read (the list only shrinks)', () => {
  expect(Object.keys(NO_EFFECT).filter((p) => read.has(accepted.find((k) => k.path === p)?.name ?? p))).toEqual([]);
  expect(Object.keys({ ...NO_EFFECT, ...READ_AS }).filter((p) => !accepted.some((k) => k.path === p))).toEqual([]);
});
