import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The import rules of DESIGN.md §1, as data: which layers (top-level folders of src/) each layer may
 * import, and which packages and node: modules. `version` is src/version.ts, a leaf anyone may use.
 */
export type Layer = 'crypto' | 'core' | 'service' | 'auth' | 'audit' | 'store' | 'root' | 'api' | 'server' | 'cli' | 'platform' | 'version';

export interface LayerRule {
  readonly layers: readonly Layer[];
  /** Bare specifiers allowed: packages and `node:` modules (a trailing `*` matches a prefix). */
  readonly modules: readonly string[];
}

export const RULES: Record<Layer, LayerRule> = {
  crypto: { layers: ['crypto'], modules: ['node:crypto', 'node:util'] },
  core: { layers: ['core', 'crypto'], modules: [] },
  service: { layers: ['service', 'core', 'crypto'], modules: ['zod'] },
  auth: { layers: ['auth', 'core', 'crypto'], modules: [] },
  audit: { layers: ['audit', 'core', 'crypto'], modules: [] },
  store: { layers: ['store', 'core', 'crypto'], modules: ['better-sqlite3', 'pg', 'node:fs', 'node:path'] },
  root: { layers: ['root', 'core', 'crypto', 'platform'], modules: ['node:fs', 'pkcs11js', 'graphene-pk11'] },
  api: { layers: ['api', 'service', 'core', 'auth', 'crypto'], modules: ['zod'] },
  server: { layers: ['server', 'api', 'service', 'core', 'auth', 'audit', 'store', 'root', 'crypto', 'platform', 'version'], modules: ['node:*', 'yaml', 'zod'] },
  cli: { layers: ['cli', 'audit', 'core', 'crypto', 'platform', 'version'], modules: ['node:*', '@aws-sdk/*', '@smithy/*', '@aws-crypto/*', 'yaml', 'zod'] },
  /** Operating-system facilities every process-level layer needs (durable files, ADR 0010); imports no layer. */
  platform: { layers: ['platform'], modules: ['node:fs', 'node:fs/promises', 'node:path'] },
  version: { layers: [], modules: [] },
};

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly reason: string;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec !== undefined) out.push(spec);
  }
  return out;
}

export function layerOf(srcRoot: string, file: string): Layer | undefined {
  const rel = relative(srcRoot, file);
  if (rel.startsWith('..')) return undefined;
  const top = rel.split(sep)[0] ?? '';
  if (top === 'version.ts' || top === 'version.js') return 'version';
  return top in RULES ? (top as Layer) : undefined;
}

function moduleAllowed(spec: string, allowed: readonly string[]): boolean {
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0] ?? spec;
  return allowed.some((a) => (a.endsWith('*') ? spec.startsWith(a.slice(0, -1)) : a === spec || a === pkg));
}

/** The rule violations of one file, given its text. */
export function checkFile(srcRoot: string, file: string, source: string): Violation[] {
  const from = layerOf(srcRoot, file);
  if (from === undefined) return [{ file, specifier: '', reason: 'file is not in a known layer of src/' }];
  const rule = RULES[from];
  const violations: Violation[] = [];
  for (const spec of importsOf(source)) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      const to = layerOf(srcRoot, target);
      if (to === undefined) violations.push({ file, specifier: spec, reason: 'imports from outside src/' });
      else if (!rule.layers.includes(to)) violations.push({ file, specifier: spec, reason: `layer ${from} may not import ${to}` });
    } else if (!moduleAllowed(spec, rule.modules)) {
      violations.push({ file, specifier: spec, reason: `layer ${from} may not import module ${spec}` });
    }
  }
  return violations;
}

/** Every non-test .ts file below `dir`. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

export function checkTree(srcRoot: string): Violation[] {
  return sourceFiles(srcRoot).flatMap((f) => checkFile(srcRoot, f, readFileSync(f, 'utf8')));
}
