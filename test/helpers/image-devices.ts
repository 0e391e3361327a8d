/** Device inputs for the image service's tests: credentials that parse, made here, never real. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CONNECTION_STRING = 'HostName=test-hub.azure-devices.net;DeviceId=dev-1;SharedAccessKey=c2VjcmV0LWRldmljZS1rZXktMDEyMzQ1Njc4OQ==';
export const GROUP_KEY = 'Z3JvdXAtZW5yb2xsbWVudC1rZXktbm90LWluLWltYWdlcw==';

/** The example deployment `make run` runs: a manifest edged's parser accepts. */
export const DEPLOYMENT = JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples/deployment.json'), 'utf8')) as Record<string, unknown>;

export function x509Pair(dir: string, cn = 'dev-x509'): { cert: string; key: string } {
  const key = path.join(dir, `${cn}.key.pem`);
  const cert = path.join(dir, `${cn}.cert.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${cn}`, '-days', '30'], { stdio: 'ignore' });
  return { cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8') };
}
