/**
 * A schema-aware stand-in for snapd's confdb, over fake-snapctl's options and services: the
 * views and their rules are read from snap/confdb/azure-iot-edge.yaml (request -> storage,
 * access), the databag is one JSON document, and a write or a read runs our hooks in snapd
 * 2.77's order (overlord/confdbstate): write = change-view (may `snapctl fail`), save-view,
 * commit; read = load-view, then the view's rules. Only the snapctl calls the hooks make are
 * implemented; anything else throws. Real snapd proves the rest (test/e2e/confdb.test.ts).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import type { ExecResult, SnapctlExec } from '../../src/snap/snapctl';
import type { FakeSnapd } from './fake-snapctl';

interface Rule {
  request: string;
  storage: string;
  access?: 'read' | 'write' | 'read-write';
}
interface SchemaFile {
  'account-id': string;
  name: string;
  views: Record<string, { rules: Rule[] }>;
}

export const SCHEMA = yaml.load(readFileSync(path.resolve(__dirname, '../../snap/confdb/azure-iot-edge.yaml'), 'utf8')) as SchemaFile;
/** Our plugs: plug name -> view name (snap/snapcraft.yaml names them after their views). */
const PLUG_VIEW = (plug: string) => (SCHEMA.views[plug] ? plug : undefined);

type Bag = Record<string, unknown>;

function getPath(bag: Bag, p: string): unknown {
  let cur: unknown = bag;
  for (const k of p.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Bag)[k];
  }
  return cur;
}

function setPath(bag: Bag, p: string, value: unknown): void {
  const keys = p.split('.');
  let cur = bag;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Bag;
  }
  if (value === null || value === undefined) delete cur[keys[keys.length - 1]];
  else cur[keys[keys.length - 1]] = value;
}

const readable = (r: Rule) => r.access !== 'write';
const writable = (r: Rule) => r.access !== 'read';

/** The view's readable data as a nested document, as `snapctl get --view -d :PLUG` prints it. */
export function viewDoc(bag: Bag, view: string): Bag {
  const out: Bag = {};
  for (const r of SCHEMA.views[view].rules.filter(readable)) {
    const v = getPath(bag, r.storage);
    if (v !== undefined) setPath(out, r.request, structuredClone(v));
  }
  return out;
}

/** Request -> value through the view's writable rules; an object value is split over sub-requests. */
export function writeView(bag: Bag, view: string, request: string, value: unknown): void {
  const rules = SCHEMA.views[view].rules;
  const exact = rules.find((r) => r.request === request);
  if (exact) {
    if (!writable(exact)) throw new Error(`cannot set "${request}" through ${view}: no matching rule`);
    setPath(bag, exact.storage, value);
    return;
  }
  const below = rules.filter((r) => r.request.startsWith(request + '.'));
  if (!below.length || !value || typeof value !== 'object') throw new Error(`cannot set "${request}" through ${view}: no matching rule`);
  for (const r of below) writeView(bag, view, r.request, getPath(value as Bag, r.request.slice(request.length + 1)) ?? null);
}

export interface FakeConfdb {
  bag: Bag;
  /** `snap set ACCOUNT/azure-iot-edge/VIEW k=v ...` (values already JSON-decoded): undefined or snapd's error line. */
  write(view: string, values: Record<string, unknown>): Promise<string | undefined>;
  /** `snap get -d ACCOUNT/azure-iot-edge/VIEW`. */
  read(view: string): Promise<Bag>;
  /** The hooks run, in order. */
  hooks: string[];
}

/**
 * Wraps fake-snapctl: view commands go to the confdb, `snapctl set` of options is added, the
 * rest falls through. runHook: the hook runner (hook-main's runHook with the test's deps).
 */
export function fakeConfdb(snapd: FakeSnapd, runHook: (name: string) => Promise<void>): FakeConfdb {
  type Tx = { pristine: Bag; bag: Bag; failed?: string; hook: string };
  let tx: Tx | undefined;
  const inner = snapd.exec;
  const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
  const err = (stderr: string): ExecResult => ({ code: 1, stdout: '', stderr: `error: error running snapctl: ${stderr}` });

  const exec: SnapctlExec = async (args) => {
    const [cmd, ...rest] = args;
    if ((cmd === 'get' || cmd === 'set') && rest.includes('--view')) {
      snapd.calls.push(args);
      if (!tx) return err('cannot access a view outside a confdb hook in this fake');
      const plugArg = rest.find((a) => a.startsWith(':'));
      const view = plugArg && PLUG_VIEW(plugArg.slice(1));
      if (!view) return err(`cannot find plug ${plugArg}`);
      if (cmd === 'get') {
        const doc = viewDoc(rest.includes('--previous') ? tx.pristine : tx.bag, view);
        return Object.keys(doc).length ? ok(JSON.stringify(doc)) : err(`cannot get through ${view}: no data`);
      }
      if (!/^(change|load|query)-view-/.test(tx.hook)) return err(`cannot modify confdb in "${tx.hook}" hook`);
      if (!rest.includes('-t')) throw new Error('fake confdb: set --view without -t');
      try {
        for (const kv of rest.slice(rest.indexOf(plugArg) + 1)) {
          const [k, v] = kv.split(/=(.*)/s);
          const value = JSON.parse(v) as unknown;
          // snapd 2.77 stores no empty list or object (null unsets instead)
          if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) throw new Error(`cannot set "${k}": cannot set empty container: must contain at least one scalar`);
          writeView(tx.bag, view, k, value);
        }
      } catch (e) {
        return err((e as Error).message);
      }
      return ok();
    }
    if (cmd === 'fail') {
      snapd.calls.push(args);
      if (!tx || !tx.hook.startsWith('change-view-')) return err('cannot use "snapctl fail" outside of a "change-view" hook');
      tx.failed = rest.join(' ');
      return ok();
    }
    if (cmd === 'set') {
      snapd.calls.push(args);
      for (const kv of rest) {
        const [k, v] = kv.split(/=(.*)/s);
        let value: unknown = v;
        try {
          value = JSON.parse(v);
        } catch {
          // a plain string, as snapctl takes it
        }
        const [top, sub] = k.split(/\.(.*)/s);
        if (sub === undefined) snapd.options[top] = value;
        else snapd.options[top] = { ...((snapd.options[top]) ?? {}), [sub]: value };
      }
      return ok();
    }
    return inner(args);
  };
  snapd.exec = exec;

  const c: FakeConfdb = {
    bag: {},
    hooks: [],
    async write(view, values) {
      const t: Tx = { pristine: structuredClone(c.bag), bag: structuredClone(c.bag), hook: '' };
      tx = t;
      try {
        for (const [k, v] of Object.entries(values)) writeView(t.bag, view, k, v);
        for (const kind of ['change', 'save']) {
          t.hook = `${kind}-view-${view}`;
          c.hooks.push(t.hook);
          await runHook(t.hook);
          if (t.failed !== undefined) return `cannot change confdb ${SCHEMA['account-id']}/${SCHEMA.name}: azure-iot-edge rejected changes: ${t.failed}`;
        }
        c.bag = t.bag;
        return undefined;
      } catch (e) {
        return `run hook "${t.hook}": ${(e as Error).message}`;
      } finally {
        tx = undefined;
      }
    },
    async read(view) {
      const t: Tx = { pristine: structuredClone(c.bag), bag: structuredClone(c.bag), hook: `load-view-${view}` };
      tx = t;
      try {
        c.hooks.push(t.hook);
        await runHook(t.hook);
        return viewDoc(t.bag, view);
      } finally {
        tx = undefined;
      }
    },
  };
  return c;
}
