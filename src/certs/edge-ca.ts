/**
 * The Edge CA, which signs the modules' server and identity certificates. Either preloaded
 * (`[edge_ca] cert` / `pk` files, managed by the user) or quickstart: self-signed by edged,
 * valid `auto_generated_edge_ca_expiry_days` (default 90) and renewed once `[edge_ca.auto_renew]
 * threshold` (default 80%) of its life is gone, with a new key unless `rotate_key = false`.
 */
import { KeyObject, X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, EdgeError } from '../errors';
import { filePathOf, readConfigFile } from '../config/secrets';
import { writeFileAtomic } from '../util/atomic-write';
import { Clock, systemClock } from '../util/clock';
import type { Logger } from '../util/log';
import { generateKey } from './keygen';
import { SUBJECT_FIELDS, issueCertificate, splitPem } from './x509';

export interface EdgeCaSettings {
  cert?: string;
  pk?: string;
  auto_generated_edge_ca_expiry_days?: number;
  /** Upstream's `[edge_ca.auto_renew]`: `threshold` ("80%") and `rotate_key` (true) are honoured. */
  auto_renew?: { threshold?: unknown; rotate_key?: unknown; retry?: unknown };
  /** Upstream's `[edge_ca.subject]`: the quickstart CA's distinguished name (CN, C, ST, L, O, OU). */
  subject?: Record<string, string>;
}

export interface EdgeCaOptions {
  /** edged's home: a quickstart CA lives in `<home>/certs`. */
  home: string;
  settings?: EdgeCaSettings;
  /** Named in the quickstart CA's subject, as upstream: `aziot-edge CA <device id>`. */
  deviceId: string;
  clock?: Clock;
  logger: Logger;
  /** Called after a quickstart CA was renewed (not when first made): modules must pick up the new chain. */
  onRenewed?: () => void;
}

const DAY_MS = 86_400_000;
const DEFAULT_RENEW_AT = 0.8;

interface Loaded {
  /** The CA certificate and whatever chain came with it, PEM. */
  chainPem: string;
  cert: X509Certificate;
  key: KeyObject;
}

export class EdgeCa {
  private loaded?: Loaded;
  private readonly clock: Clock;
  readonly quickstart: boolean;
  /** Share of the quickstart CA's life after which it is renewed. */
  readonly renewAt: number;
  private readonly rotateKey: boolean;

  constructor(private readonly options: EdgeCaOptions) {
    this.clock = options.clock ?? systemClock;
    const s = options.settings ?? {};
    if (Boolean(s.cert) !== Boolean(s.pk)) {
      throw new ConfigError('[edge_ca] needs both cert and pk, or neither', {
        hint: 'set both edge_ca.cert and edge_ca.pk, or remove them for a quickstart Edge CA',
      });
    }
    this.quickstart = !s.cert;
    const days = s.auto_generated_edge_ca_expiry_days;
    if (days !== undefined && (!Number.isInteger(days) || days <= 0)) {
      throw new ConfigError(`edge_ca.auto_generated_edge_ca_expiry_days must be a positive whole number, not ${days}`, {
        hint: 'remove it for the default of 90 days',
      });
    }
    if (!this.quickstart && s.auto_renew !== undefined) {
      throw new ConfigError('edge_ca.auto_renew applies to the quickstart Edge CA only, not to one given as cert and pk files', {
        hint: 'remove [edge_ca.auto_renew]: renew a preloaded Edge CA by replacing its files and restarting edged',
      });
    }
    const unknownField = Object.keys(s.subject ?? {}).find((k) => !(SUBJECT_FIELDS as readonly string[]).includes(k));
    if (unknownField !== undefined) {
      throw new ConfigError(`edge_ca.subject.${unknownField} is not a subject field this appliance writes`, {
        hint: `use ${SUBJECT_FIELDS.join(', ')}`,
      });
    }
    if (!this.quickstart && s.subject !== undefined) {
      throw new ConfigError('edge_ca.subject applies to the quickstart Edge CA only, not to one given as cert and pk files', {
        hint: 'remove [edge_ca.subject]: the subject of a preloaded Edge CA is the one in its certificate',
      });
    }
    const threshold = s.auto_renew?.threshold;
    const pct = threshold === undefined ? undefined : /^(\d{1,3})%$/.exec(String(threshold))?.[1];
    if (threshold !== undefined && !(pct && Number(pct) > 0 && Number(pct) <= 100)) {
      throw new ConfigError(`edge_ca.auto_renew.threshold must be a percentage from 1% to 100%, not ${JSON.stringify(threshold)}`, {
        hint: 'e.g. threshold = "80%" (the default)',
      });
    }
    this.renewAt = pct ? Number(pct) / 100 : DEFAULT_RENEW_AT;
    this.rotateKey = s.auto_renew?.rotate_key !== false;
  }

  private get certFile() {
    return path.join(this.options.home, 'certs', 'edge-ca.cert.pem');
  }
  private get keyFile() {
    return path.join(this.options.home, 'certs', 'edge-ca.key.pem');
  }

  /** Loads the CA (creating or renewing a quickstart one as needed). True when a new CA was made. */
  async ensure(): Promise<boolean> {
    if (!this.quickstart) {
      if (!this.loaded) this.loaded = await this.loadPreloaded();
      return false;
    }
    this.loaded ??= await this.loadQuickstart();
    if (this.loaded && !this.dueForRenewal(this.loaded.cert)) return false;
    const previous = this.loaded;
    this.loaded = await this.createQuickstart(
      previous ? `renewing the Edge CA at ${Math.round(this.renewAt * 100)}% of its life${this.rotateKey ? '' : ', keeping its key'}` : 'creating a quickstart Edge CA',
      this.rotateKey ? undefined : previous?.key,
    );
    if (previous) this.options.onRenewed?.();
    return true;
  }

  async current(): Promise<Loaded> {
    await this.ensure();
    return this.loaded!;
  }

  dueForRenewal(cert: X509Certificate): boolean {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    return this.clock.now() >= from + (to - from) * this.renewAt;
  }

  private async loadPreloaded(): Promise<Loaded> {
    const s = this.options.settings!;
    const chainPem = await readConfigFile(s.cert!, 'edge_ca.cert');
    filePathOf(s.pk!, 'edge_ca.pk');
    const keyPem = await readConfigFile(s.pk!, 'edge_ca.pk');
    let cert: X509Certificate;
    let key: KeyObject;
    try {
      cert = new X509Certificate(splitPem(chainPem)[0] ?? chainPem);
    } catch (e) {
      throw new ConfigError(`edge_ca.cert (${s.cert}) is not a PEM certificate`, { hint: 'give the Edge CA certificate in PEM', cause: e });
    }
    try {
      key = createPrivateKey(keyPem);
    } catch (e) {
      throw new ConfigError(`edge_ca.pk (${s.pk}) is not a PEM private key`, { hint: 'give the Edge CA private key in PEM', cause: e });
    }
    if (!cert.checkPrivateKey(key)) {
      throw new ConfigError('edge_ca.pk does not belong to edge_ca.cert', { hint: 'give the private key of the Edge CA certificate' });
    }
    if (!cert.ca) throw new ConfigError('edge_ca.cert is not a CA certificate', { hint: 'the Edge CA needs basicConstraints CA:TRUE' });
    if (Date.parse(cert.validTo) <= this.clock.now()) {
      this.options.logger.warn(`The preloaded Edge CA expired on ${cert.validTo}; module certificates will not validate`);
    }
    return { chainPem: normalise(chainPem), cert, key };
  }

  private async loadQuickstart(): Promise<Loaded | undefined> {
    let certPem: string;
    let keyPem: string;
    try {
      [certPem, keyPem] = await Promise.all([fs.readFile(this.certFile, 'utf8'), fs.readFile(this.keyFile, 'utf8')]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new EdgeError(`cannot read the quickstart Edge CA under ${path.dirname(this.certFile)}`, { cause: e });
    }
    try {
      const cert = new X509Certificate(certPem);
      const key = createPrivateKey(keyPem);
      if (!cert.checkPrivateKey(key)) return undefined;
      return { chainPem: normalise(certPem), cert, key };
    } catch {
      this.options.logger.warn('The quickstart Edge CA on disk is unreadable; making a new one');
      return undefined;
    }
  }

  private async createQuickstart(why: string, keepKey?: KeyObject): Promise<Loaded> {
    this.options.logger.info(`Edge CA: ${why}`);
    const days = this.options.settings?.auto_generated_edge_ca_expiry_days ?? 90;
    const now = this.clock.now();
    const pair = keepKey ? { privateKey: keepKey, publicKey: createPublicKey(keepKey) } : generateKey('rsa-2048');
    const certPem = issueCertificate({
      commonName: `aziot-edge CA ${this.options.deviceId}`.slice(0, 64),
      subject: this.options.settings?.subject,
      ca: { pathLen: 0 },
      notBefore: new Date(now),
      notAfter: new Date(now + days * DAY_MS),
      publicKey: pair.publicKey,
      signingKey: pair.privateKey,
    });
    const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await fs.mkdir(path.dirname(this.keyFile), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.keyFile, keyPem, { mode: 0o600 });
    await writeFileAtomic(this.certFile, certPem, { mode: 0o644 });
    return { chainPem: certPem, cert: new X509Certificate(certPem), key: pair.privateKey };
  }
}

function normalise(pem: string): string {
  return splitPem(pem).join('');
}
