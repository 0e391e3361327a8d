import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The import graph of src/, from the import specifiers themselves: which layer may import
 * which, no file cycles, and only runtime dependencies. An arrow that breaks a rule is allowed
 * only as a named exception below, and an exception that no longer exists fails too, so the
 * list can only shrink.
 */

const root = path.resolve(__dirname, '../..');
const src = path.join(root, 'src');

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  imageServiceOnly: string[];
};
/**
 * The image service's own packages (package.json's imageServiceOnly): the snap leaves them out
 * (snap/local/omit-image-service.js), so nothing the snap runs may import them.
 */
const IMAGE_SERVICE_PACKAGES = manifest.imageServiceOnly;
const S3_PACKAGES = IMAGE_SERVICE_PACKAGES.filter((p) => p.startsWith('@aws-sdk/'));

/** Packages that belong to a layer: only that layer (and the ones allowed it) may import them. */
const PACKAGE_LAYERS: Record<string, Layer> = {
  dockerode: 'docker',
  ...Object.fromEntries(IMAGE_SERVICE_PACKAGES.map((p) => [p, 'images'])),
  ...Object.fromEntries(S3_PACKAGES.map((p) => [p, 'store'])),
};

/** Most specific prefix first. */
const LAYERS: ReadonlyArray<readonly [layer: Layer, prefix: string]> = [
  ['docker', 'runtime/docker/'],
  ['runtime', 'runtime/'],
  ['errors', 'errors.ts'],
  ['util', 'util/'],
  ['config', 'config/'],
  ['certs', 'certs/'],
  ['identity', 'identity/'],
  ['client', 'api/management/client/'],
  ['wire', 'api/management/wire.ts'],
  ['wire', 'api/management/versions.ts'],
  ['api', 'api/'],
  ['agent', 'agent/'],
  ['gc', 'gc/'],
  ['cli-root', 'cli/main.ts'],
  ['cli', 'cli/'],
  ['platform', 'snap/paths.ts'],
  ['platform', 'snap/snapctl.ts'],
  ['platform', 'snap/exec.ts'],
  ['platform', 'snap/engine/'],
  ['snap', 'snap/'],
  ['supervisor', 'supervisor/'],
  ['edged', 'edged/'],
  ['store', 'images/store/'],
  ['images', 'images/'],
];
type Layer =
  | 'errors' | 'util' | 'runtime' | 'docker' | 'config' | 'certs' | 'identity' | 'wire' | 'client' | 'api' | 'agent'
  | 'gc' | 'cli-root' | 'cli' | 'platform' | 'snap' | 'supervisor' | 'edged' | 'store' | 'images';

const base: Layer[] = ['errors', 'util'];
/**
 * What each layer may import besides itself. The engine is reached through the runtime
 * interface; only the composition root (edged) knows it is Docker, and nothing imports edged.
 */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  errors: [],
  util: ['errors'],
  runtime: base,
  docker: ['runtime', ...base],
  config: base,
  certs: ['config', ...base],
  identity: ['certs', 'config', 'runtime', ...base],
  /** The management API's bodies and versions, which server and CLI share. */
  wire: base,
  /** The management API's one client (a ModuleRuntime over HTTP), below the CLI and the hooks. */
  client: ['wire', 'runtime', ...base],
  api: ['wire', 'identity', 'certs', 'config', 'runtime', ...base],
  agent: ['config', 'runtime', ...base],
  gc: ['wire', 'config', 'runtime', ...base],
  /** The CLI shows the collector's reports (their types and their text). */
  /**
   * The CLI's entry point, its composition root for the engine: it gives the commands Docker's
   * diagnostics (runtime/engine.ts) for check and support-bundle; nothing imports it.
   */
  'cli-root': ['cli', 'docker', 'runtime', ...base],
  cli: ['platform', 'client', 'wire', 'gc', 'config', 'runtime', ...base],
  /** The snap's paths, snapctl, exec and engine settings (daemon.json, flags, bridge), below the hooks, the supervisor and the CLI. */
  platform: base,
  // The hooks check a deployment-file with the agent's own (pure) manifest parser, and ask
  // edged's management API for the live confdb views through its one client.
  snap: ['platform', 'client', 'agent', 'config', ...base],
  supervisor: ['platform', 'config', ...base],
  edged: ['platform', 'docker', 'runtime', 'config', 'certs', 'identity', 'wire', 'api', 'agent', 'gc', ...base],
  /** The image service's storage (a directory or S3), below everything of the image service. */
  store: base,
  /**
   * The per-device image service (runs on an operator's machine, not in the snap): it checks a
   * device's values with the appliance's own parsers (config, the manifest parser in agent, and
   * the snap options' parsers: IMAGES_INTO_SNAP says which files of snap/ alone).
   */
  images: ['store', 'snap', 'agent', 'config', ...base],
};

/** The only files of snap/ the image service may import: the option parsers and what they import. */
const IMAGES_INTO_SNAP = new Set(['snap/options.ts', 'snap/errors.ts']);

/** Today's arrows against the rules, `from -> to` (paths under src/), each with why it is still there. */
const EXCEPTIONS: Record<string, string> = {}; // none today: the last three went in issue 12

interface Arrow {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [path.relative(src, p).split(path.sep).join('/')] : [];
  });
}

function layerOf(file: string): Layer {
  if (file in PACKAGE_LAYERS) return PACKAGE_LAYERS[file];
  const hit = LAYERS.find(([, prefix]) => file === prefix || file.startsWith(prefix));
  if (!hit) throw new Error(`src/${file} is in no layer: add its folder to LAYERS`);
  return hit[0];
}

const files = sourceFiles(src).sort();
const known = new Set(files);
const dependencies = new Set(Object.keys(manifest.dependencies));
const builtins = new Set(builtinModules);

const arrows: Arrow[] = [];
const unresolved: string[] = [];
const foreign: string[] = [];
for (const file of files) {
  const text = fs.readFileSync(path.join(src, file), 'utf8');
  for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!spec.startsWith('.')) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!spec.startsWith('node:') && !builtins.has(pkg) && !dependencies.has(pkg)) foreign.push(`${file}: ${spec}`);
      if (pkg in PACKAGE_LAYERS && !arrows.some((a) => a.from === file && a.to === pkg)) arrows.push({ from: file, to: pkg });
      continue;
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const to = [`${target}.ts`, `${target}/index.ts`].find((c) => known.has(c));
    if (!to) {
      if (!target.endsWith('.json')) unresolved.push(`${file}: ${spec}`);
    } else if (!arrows.some((a) => a.from === file && a.to === to)) arrows.push({ from: file, to });
  }
}

const key = (a: Arrow) => `${a.from} -> ${a.to}`;
const crossing = arrows.filter((a) => layerOf(a.from) !== layerOf(a.to));
const isAgainst = (a: Arrow) => !ALLOWED[layerOf(a.from)].includes(layerOf(a.to));
const against = crossing.filter(isAgainst);

/** Tarjan's strongly connected components of more than one node. */
function cycles(nodes: readonly string[], edges: readonly Arrow[]): string[][] {
  const out = new Map<string, string[]>();
  for (const a of edges) out.set(a.from, [...(out.get(a.from) ?? []), a.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of out.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return found;
}

// The figures docs/developing.md quotes: ARCH_FIGURES=1 npx jest test/unit/architecture.test.ts
if (process.env.ARCH_FIGURES) {
  const figures = { files: files.length, arrows: arrows.length, crossing: crossing.length, against: against.length, fileCycles: cycles(files, arrows).length,
    layerCycles: cycles(
      LAYERS.map(([l]) => l),
      crossing.map((a) => ({ from: layerOf(a.from), to: layerOf(a.to) })),
    ),
  };
  console.log(JSON.stringify(figures));
}

describe('architecture: the import graph of src/', () => {
  it('reads every file and resolves every relative import', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it('imports only runtime dependencies and node built-ins', () => {
    expect(foreign).toEqual([]);
  });

  it("keeps the image service's packages to the image service (the snap leaves them out)", () => {
    expect(IMAGE_SERVICE_PACKAGES.filter((p) => !dependencies.has(p))).toEqual([]);
    expect(IMAGE_SERVICE_PACKAGES).toContain('fastify');
    const outside = arrows.filter((a) => IMAGE_SERVICE_PACKAGES.includes(a.to) && !['images', 'store'].includes(layerOf(a.from)));
    expect(outside).toEqual([]);
  });

  it('puts every file in a layer', () => {
    for (const f of files) expect(() => layerOf(f)).not.toThrow();
  });

  it('has no arrow against the layering except the named exceptions', () => {
    expect(against.map(key).filter((k) => !(k in EXCEPTIONS))).toEqual([]);
  });

  it('lets the image service into snap/ only for the option parsers', () => {
    const into = arrows.filter((a) => layerOf(a.from) === 'images' && layerOf(a.to) === 'snap' && !IMAGES_INTO_SNAP.has(a.to));
    expect(into.map(key)).toEqual([]);
  });

  it('names no exception that is gone (the list only shrinks)', () => {
    const present = new Set(against.map(key));
    expect(Object.keys(EXCEPTIONS).filter((k) => !present.has(k))).toEqual([]);
  });

  it('would catch an arrow into the composition root, out of util, or onto Docker, and a cycle', () => {
    expect(isAgainst({ from: 'gc/collector.ts', to: 'edged/context.ts' })).toBe(true);
    expect(isAgainst({ from: 'util/log.ts', to: 'config/types.ts' })).toBe(true);
    expect(isAgainst({ from: 'cli/commands/list.ts', to: 'runtime/docker/client.ts' })).toBe(true);
    expect(isAgainst({ from: 'cli/commands/check.ts', to: 'cli/main.ts' })).toBe(true);
    expect(isAgainst({ from: 'agent/executor.ts', to: 'dockerode' })).toBe(true);
    expect(isAgainst({ from: 'runtime/docker/runtime.ts', to: 'runtime/types.ts' })).toBe(false);
    const loop = [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }];
    expect(cycles(['a', 'b', 'c', 'd'], loop)).toEqual([['a', 'b', 'c']]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(files, arrows)).toEqual([]);
  });
});
