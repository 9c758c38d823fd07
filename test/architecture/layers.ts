import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The import rules of DESIGN.md §1, as data: which layers (top-level folders of src/) each layer may
 * import, and which packages and node: modules. `version` is src/version.ts, a leaf anyone may use.
 */
export type Layer = 'crypto' | 'core' | 'custody' | 'service' | 'auth' | 'audit' | 'store' | 'root' | 'api' | 'server' | 'cli' | 'platform' | 'manifest' | 'version';

export interface LayerRule {
  readonly layers: readonly Layer[];
  /** Bare specifiers allowed: packages and `node:` modules (a trailing `*` matches a prefix). */
  readonly modules: readonly string[];
}

export const RULES: Record<Layer, LayerRule> = {
  /**
   * otpauth: TOTP for virtual MFA devices (crypto/totp.ts). @noble: what node:crypto cannot do, ML-DSA
   * over an external mu (crypto/ml-dsa-mu.ts) and Ed25519ph over a given digest (crypto/ed25519ph.ts).
   */
  crypto: { layers: ['crypto'], modules: ['node:crypto', 'node:util', 'otpauth', '@noble/post-quantum/ml-dsa.js', '@noble/curves/ed25519.js', '@noble/curves/abstract/edwards.js'] },
  core: { layers: ['core', 'crypto'], modules: [] },
  /** Key hierarchy, sealing, rewrapping and KeyPrimitives; the service sees only their ports (core/custody.ts). */
  custody: { layers: ['custody', 'core', 'crypto'], modules: [] },
  service: { layers: ['service', 'core', 'crypto'], modules: ['zod'] },
  /** jose: verifying web identity tokens (AssumeRoleWithWebIdentity, issue 17). */
  auth: { layers: ['auth', 'core', 'crypto'], modules: ['jose'] },
  audit: { layers: ['audit', 'core', 'crypto'], modules: [] },
  /** node:async_hooks: PostgreSQL transactions are bound to the async context (ADR 0013). */
  store: { layers: ['store', 'core', 'crypto'], modules: ['better-sqlite3', 'pg', 'node:fs', 'node:path', 'node:async_hooks'] },
  root: { layers: ['root', 'core', 'crypto', 'platform'], modules: ['node:fs', 'pkcs11js', 'graphene-pk11'] },
  api: { layers: ['api', 'service', 'core', 'auth', 'crypto'], modules: ['zod'] },
  /** @grpc/*: the Kubernetes KMS v2 plugin's gRPC listener (server/k8s-plugin.ts; api/k8s stays free of it). */
  server: { layers: ['server', 'api', 'service', 'custody', 'core', 'auth', 'audit', 'store', 'root', 'crypto', 'platform', 'manifest', 'version'], modules: ['node:*', 'yaml', 'zod', 'prom-client', 'pino', 'cli-progress', '@grpc/grpc-js', '@grpc/proto-loader'] },
  cli: { layers: ['cli', 'audit', 'core', 'crypto', 'platform', 'manifest', 'version'], modules: ['node:*', '@aws-sdk/*', '@smithy/*', '@aws-crypto/*', 'yaml', 'zod', 'qrcode', 'commander', 'cli-progress'] },
  /** Operating-system facilities every process-level layer needs (durable files, ADR 0010); imports no layer. */
  platform: { layers: ['platform'], modules: ['node:fs', 'node:fs/promises', 'node:path'] },
  /** The declarative file of `arca apply` and `arca dev --seed` (issue 23): one schema both the CLI and the server read. */
  manifest: { layers: [], modules: ['zod'] },
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
  // The store contract suites (store/contract/) are node:test suites that every store adapter's tests run.
  const modules = relative(srcRoot, file).startsWith(join('store', 'contract') + sep) ? [...rule.modules, 'node:test', 'node:assert*'] : rule.modules;
  const violations: Violation[] = [];
  for (const spec of importsOf(source)) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      const to = layerOf(srcRoot, target);
      if (to === undefined) violations.push({ file, specifier: spec, reason: 'imports from outside src/' });
      else if (!rule.layers.includes(to)) violations.push({ file, specifier: spec, reason: `layer ${from} may not import ${to}` });
    } else if (!moduleAllowed(spec, modules)) {
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

/**
 * The module graph of `files`: each file's relative imports (type-only ones included: they do not run,
 * but they still tie the two modules together), resolved from the compiled `.js` specifier to its `.ts`
 * source. Imports that resolve to no file in `files` are left out (checkFile reports those that matter).
 */
export function importGraph(files: readonly string[], read: (file: string) => string): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const spec of importsOf(read(file))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (known.has(target)) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/**
 * The import cycles of `graph`, each as the list of modules along it, starting and ending with the same
 * module, e.g. `[a, b, a]`. Found per strongly connected component (Tarjan's algorithm): for each, shortest
 * cycles through its modules until every module of the component is on one, so that the message names
 * every module involved and a concrete path to cut, without listing every one of the possibly
 * exponentially many cycles.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const edges = (n: string): readonly string[] => graph.get(n) ?? [];

  // Iterative, so that a long import chain cannot overflow the call stack.
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next); low.set(root, next); next++;
    stack.push(root); onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = edges(frame.node);
      if (frame.edge < out.length) {
        const to = out[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next); low.set(to, next); next++;
          stack.push(to); onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.node);
        if (component.length > 1 || edges(frame.node).includes(frame.node)) components.push(component.sort());
      }
    }
  }
  return components.flatMap((c) => coveringCycles(graph, c)).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** Shortest cycles through the component's modules, in order, until every module is on one of them. */
function coveringCycles(graph: ReadonlyMap<string, readonly string[]>, component: readonly string[]): string[][] {
  const covered = new Set<string>();
  const cycles: string[][] = [];
  for (const start of component) {
    if (covered.has(start)) continue;
    const cycle = shortestCycle(graph, component, start);
    for (const m of cycle) covered.add(m);
    cycles.push(cycle);
  }
  return cycles;
}

/** A shortest path from `start` back to itself, staying inside its strongly connected component. */
function shortestCycle(graph: ReadonlyMap<string, readonly string[]>, component: readonly string[], start: string): string[] {
  const inside = new Set(component);
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    for (const to of graph.get(n) ?? []) {
      if (!inside.has(to)) continue;
      if (to === start) {
        const path: string[] = [];
        for (let m = n; m !== start; m = previous.get(m)!) path.push(m);
        return [start, ...path.reverse(), start];
      }
      if (!previous.has(to)) {
        previous.set(to, n);
        queue.push(to);
      }
    }
  }
  return [...component, start];
}

/** Every import cycle among the non-test modules of src/, each as paths relative to `srcRoot`. */
export function cyclesInTree(srcRoot: string): string[][] {
  const graph = importGraph(sourceFiles(srcRoot), (f) => readFileSync(f, 'utf8'));
  return findCycles(graph).map((cycle) => cycle.map((f) => relative(srcRoot, f)));
}

/**
 * Where `SecretBytes.prototype.expose` may be reached (issue 13 item 3): the layers whose job is secrets
 * (a folder prefix, `/`-separated, relative to src/), and the few other modules that handle a secret
 * that is not customer key material, each with its reason. Customer key material is custody's alone.
 */
export const EXPOSE_ALLOWED: Readonly<Record<string, string>> = {
  'crypto/': 'the primitives over node:crypto that consume secret bytes',
  'custody/': 'the key hierarchy and KeyPrimitives: the only place customer key material is used',
  'root/': 'roots of trust hand the root key and unseal shares to their backends',
  'auth/sigv4.ts': 'derives the SigV4 signing key from an access-key secret',
  'api/aws/wire.ts': 'encodes secret output members (Plaintext, shares) on the wire',
  'api/sts/xml.ts': 'copies STS credentials (secret access key, session token) into the XML answer',
  'api/k8s/kms-v2.ts': 'hands a decrypted DEK to the Kubernetes plugin listener, which zeroes it once the answer is serialized',
  'server/xks-client.ts': 'the XKS proxy client (ADR 0024): signs with the store credential and sends the inner ciphertext to the proxy, as the XKS API requires',
  'api/xks/transport.ts': 'serializes XksDecrypt\'s plaintext into the answer body, which the listener zeroes once sent',
  'api/kmip/ops-keys.ts': 'serializes ExportKeyMaterial\'s material into KMIP Get\'s answer (explicit export, ADR 0027), which the listener zeroes once sent',
  'api/kmip/ops-crypto.ts': 'serializes Decrypt\'s plaintext into KMIP Decrypt\'s answer, which the listener zeroes once sent',
  'server/dev-announce.ts': 'prints the dev administrator access key to the terminal, as documented',
  'service/identity/bootstrap.ts': 'generates the text form of a new access-key secret (not key material)',
  'service/operator/rekey.ts': 'hands the current unseal shares to the seal controller',
  'service/operator/unseal.ts': 'hands an unseal share to the seal controller',
};

const EXPOSE_RE = /\.\s*expose\b|\[\s*['"`]expose['"`]\s*\]/;

/** The modules (relative to `srcRoot`, `/`-separated) that reach `.expose` without being allowed to. */
export function exposeViolations(srcRoot: string, files: readonly string[], read: (file: string) => string): string[] {
  const allowed = Object.keys(EXPOSE_ALLOWED);
  return files
    .map((f) => relative(srcRoot, f).split(sep).join('/'))
    .filter((rel, i) => !allowed.some((a) => (a.endsWith('/') ? rel.startsWith(a) : rel === a)) && EXPOSE_RE.test(read(files[i]!)))
    .sort();
}

/** A crypto module or a name that src/service may reach only for the reason given (and, with `only`, only from those modules). */
export interface ServiceCryptoRule {
  readonly reason: string;
  /** The modules (relative to src/, `/`-separated) allowed; absent: every service module. */
  readonly only?: readonly string[];
}

/**
 * The crypto modules src/service may import (issue 13 item 3): none that parses, wraps, unwraps or uses
 * key material (asymmetric keys, key wrap, import unwrapping, KDFs, signatures): that is custody's. Type
 * imports count too: a service module that names `SecretBytes` is one that handles a secret.
 */
export const SERVICE_CRYPTO_ALLOWED: Readonly<Record<string, ServiceCryptoRule>> = {
  'crypto/random.ts': { reason: 'ids, tokens, data keys and GenerateRandom output' },
  'crypto/encoding.ts': { reason: 'canonical field encoding (receipts) and id syntax checks' },
  'crypto/ciphertext-blob.ts': { reason: 'reads the key id in a ciphertext header for IncorrectKey; never decrypts' },
  'crypto/secret-bytes.ts': {
    reason: 'secrets that are not key material, and the pipeline that zeroes inputs, plaintexts and data keys',
    only: ['service/pipeline/operation.ts', 'service/pipeline/input-codec.ts', 'service/pipeline/schemas.ts', 'service/identity/bootstrap.ts', 'service/operator/initialize-root.ts', 'service/identity/mfa/enable-mfa-device.ts', 'service/custom-key-stores/store-common.ts'],
  },
  'crypto/secret-text.ts': {
    reason: 'access-key secrets handed to their owner once, as zeroable text',
    only: ['service/identity/create-access-key.ts', 'service/operator/initialize-root.ts', 'service/identity/sts/session-credentials.ts', 'service/identity/mfa/enable-mfa-device.ts'],
  },
  'crypto/certificate.ts': { reason: 'checks that a trust anchor is a PEM X.509 certificate (public, no key material)', only: ['service/custom-key-stores/create-custom-key-store.ts'] },
  'crypto/totp.ts': {
    reason: 'MFA device seeds (authentication secrets, not key material): made once, and codes checked',
    only: ['service/identity/mfa/enable-mfa-device.ts', 'service/identity/mfa/verify-mfa.ts'],
  },
};

/**
 * Names that make or bind key material, and where src/service may use them: fresh secrets only as data
 * keys, GenerateRandom output and access-key secrets; the AAD bindings of key-version material, import
 * wrapping keys and import fingerprints not at all, so a wrapped key version can only come from custody.
 */
export const SERVICE_MATERIAL_NAMES: Readonly<Record<string, ServiceCryptoRule>> = {
  randomSecret: {
    reason: 'data keys, GenerateRandom output and access-key secrets; new key material comes from the KeyProvisioner',
    only: ['service/crypto-ops/generate-data-key.ts', 'service/crypto-ops/generate-data-key-without-plaintext.ts', 'service/crypto-ops/generate-random.ts', 'service/identity/bootstrap.ts'],
  },
  materialBinding: { reason: 'key versions are wrapped in custody (KeyProvisioner, KeyImporter)', only: [] },
  importTokenBinding: { reason: 'import wrapping keys are wrapped and unwrapped in custody (KeyImporter)', only: [] },
  fingerprintBinding: { reason: 'imported material is fingerprinted in custody (KeyImporter)', only: [] },
};

/**
 * The ways the service modules among `files` reach key-material crypto against {@link SERVICE_CRYPTO_ALLOWED}
 * and {@link SERVICE_MATERIAL_NAMES}, as `module: what` lines (empty: none).
 */
export function serviceMaterialViolations(srcRoot: string, files: readonly string[], read: (file: string) => string): string[] {
  const out: string[] = [];
  for (const file of files) {
    const rel = relative(srcRoot, file).split(sep).join('/');
    if (!rel.startsWith('service/')) continue;
    const source = read(file);
    for (const spec of importsOf(source)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(srcRoot, resolve(dirname(file), spec)).split(sep).join('/').replace(/\.js$/, '.ts');
      if (!target.startsWith('crypto/')) continue;
      const rule = SERVICE_CRYPTO_ALLOWED[target];
      if (rule === undefined) out.push(`${rel}: imports ${target}, which handles key material (custody's)`);
      else if (rule.only !== undefined && !rule.only.includes(rel)) out.push(`${rel}: imports ${target} (allowed only for: ${rule.reason})`);
    }
    for (const [name, rule] of Object.entries(SERVICE_MATERIAL_NAMES)) {
      if (new RegExp(`\\b${name}\\b`).test(source) && !(rule.only ?? []).includes(rel)) out.push(`${rel}: uses ${name} (${rule.reason})`);
    }
  }
  return out.sort();
}
