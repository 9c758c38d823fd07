import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/server.js';
import { readFileSync } from 'node:fs';
import { checkFile, checkTree, cyclesInTree, exposeViolations, findCycles, importGraph, importsOf, serviceMaterialViolations, sourceFiles } from './layers.js';

const SRC = join(REPO_ROOT, 'src');

describe('import direction (DESIGN.md §1)', () => {
  it('src/ has no import that breaks the layering', () => {
    const violations = checkTree(SRC);
    assert.deepEqual(violations, [], violations.map((v) => `${v.file}: ${v.specifier} — ${v.reason}`).join('\n'));
  });

  it('finds every kind of import statement', () => {
    const specs = importsOf(`import a from './a.js';\nimport { b } from "./b.js";\nexport * from './c.js';\nimport './d.js';\nconst e = await import('./e.js');\nimport type { F } from './f.js';`);
    assert.deepEqual(specs, ['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js']);
  });

  it('rejects a wrong-way import: core importing service', () => {
    const v = checkFile(SRC, join(SRC, 'core', 'x.ts'), `import { Pipeline } from '../service/pipeline.js';`);
    assert.equal(v.length, 1);
    assert.match(v[0]?.reason ?? '', /core may not import service/);
  });

  it('rejects anything importing server/ or cli/', () => {
    for (const layer of ['service', 'api', 'store', 'cli']) {
      const v = checkFile(SRC, join(SRC, layer, 'x.ts'), `import { a } from '../server/app.js';`);
      assert.equal(v.length, 1, layer);
    }
    assert.equal(checkFile(SRC, join(SRC, 'api', 'x.ts'), `import { a } from '../cli/main.js';`).length, 1);
  });

  it('rejects crypto work outside src/crypto: node:crypto in a service', () => {
    const v = checkFile(SRC, join(SRC, 'service', 'x.ts'), `import { randomBytes } from 'node:crypto';`);
    assert.match(v[0]?.reason ?? '', /may not import module node:crypto/);
  });

  it('allows the imports the design allows', () => {
    assert.deepEqual(checkFile(SRC, join(SRC, 'api', 'aws', 'x.ts'), `import { a } from '../../service/pipeline.js';\nimport { z } from 'zod';`), []);
    assert.deepEqual(checkFile(SRC, join(SRC, 'server', 'x.ts'), `import { a } from '../store/sqlite/database.js';\nimport http from 'node:http';`), []);
  });

  it('rejects a service importing a store or a transport', () => {
    for (const [target, layer] of [['../store/sqlite/database.js', 'store'], ['../api/aws/handler.js', 'api'], ['../server/app.js', 'server'], ['../auth/sigv4.js', 'auth']]) {
      const v = checkFile(SRC, join(SRC, 'service', 'x.ts'), `import type { A } from '${target}';`);
      assert.equal(v.length, 1, target);
      assert.match(v[0]?.reason ?? '', new RegExp(`service may not import ${layer}`));
    }
    assert.match(checkFile(SRC, join(SRC, 'service', 'x.ts'), `import Database from 'better-sqlite3';`)[0]?.reason ?? '', /may not import module better-sqlite3/);
  });
});

describe('import cycles (DESIGN.md §1: none anywhere)', () => {
  const graphOf = (edges: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(edges));

  it('src/ has no import cycle, type-only imports included', () => {
    const cycles = cyclesInTree(SRC);
    assert.deepEqual(cycles, [], cycles.map((c) => `import cycle: ${c.join(' → ')}`).join('\n'));
  });

  it('finds a cycle of two modules', () => {
    assert.deepEqual(findCycles(graphOf({ a: ['b'], b: ['a'], c: ['a'] })), [['a', 'b', 'a']]);
  });

  it('finds a cycle of four modules and names it in order', () => {
    const graph = graphOf({ a: ['b'], b: ['c', 'x'], c: ['d'], d: ['a'], x: [] });
    assert.deepEqual(findCycles(graph), [['a', 'b', 'c', 'd', 'a']]);
  });

  it('finds a module importing itself', () => {
    assert.deepEqual(findCycles(graphOf({ a: ['a'] })), [['a', 'a']]);
  });

  it('reports each separate cycle once', () => {
    const graph = graphOf({ a: ['b'], b: ['a'], c: ['d'], d: ['e'], e: ['c'], f: ['a', 'c'] });
    assert.deepEqual(findCycles(graph), [['a', 'b', 'a'], ['c', 'd', 'e', 'c']]);
  });

  it('names every module of a knot of cycles: two cycles through one module', () => {
    assert.deepEqual(findCycles(graphOf({ a: ['b', 'c'], b: ['a'], c: ['a'] })), [['a', 'b', 'a'], ['c', 'a', 'c']]);
  });

  it('finds none in a graph without cycles, diamonds included', () => {
    assert.deepEqual(findCycles(graphOf({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] })), []);
  });

  it('builds the graph from relative imports, type-only ones included, and ignores packages', () => {
    const files = new Map([['/s/a.ts', `import type { B } from './b.js';\nimport { z } from 'zod';`], ['/s/b.ts', `export { a } from './a.js';`], ['/s/c.ts', `import './missing.js';`]]);
    const graph = importGraph([...files.keys()], (f) => files.get(f) ?? '');
    assert.deepEqual(Object.fromEntries(graph), { '/s/a.ts': ['/s/b.ts'], '/s/b.ts': ['/s/a.ts'], '/s/c.ts': [] });
    assert.deepEqual(findCycles(graph), [['/s/a.ts', '/s/b.ts', '/s/a.ts']]);
  });
});

describe('SecretBytes.expose() only where secrets are the job (issue 13 item 3)', () => {
  it('no module outside EXPOSE_ALLOWED calls .expose(): customer key material never enters the service', () => {
    const files = sourceFiles(SRC);
    assert.deepEqual(exposeViolations(SRC, files, (f) => readFileSync(f, 'utf8')), []);
  });

  it('flags a new service file that calls .expose(), or reaches it by name', () => {
    const service = join(SRC, 'service', 'encrypt.ts');
    const custody = join(SRC, 'custody', 'x.ts');
    const sources: Record<string, string> = {
      [service]: 'const raw = plaintext.expose();',
      [join(SRC, 'service', 'y.ts')]: "const f = plaintext['expose'];",
      [custody]: 'const raw = material.expose();',
      [join(SRC, 'service', 'operator', 'unseal.ts')]: 'share.expose()',
      [join(SRC, 'service', 'z.ts')]: 'const exposed = 1; // no call',
    };
    assert.deepEqual(exposeViolations(SRC, Object.keys(sources), (f) => sources[f]!), ['service/encrypt.ts', 'service/y.ts']);
  });
});

describe('new key material never enters src/service (issue 13 item 3)', () => {
  it('no service module imports key-material crypto or makes and binds key material itself', () => {
    const violations = serviceMaterialViolations(SRC, sourceFiles(SRC), (f) => readFileSync(f, 'utf8'));
    assert.deepEqual(violations, [], violations.join('\n'));
  });

  it('flags a service that parses, generates or wraps key material, and leaves the allowed uses alone', () => {
    const sources: Record<string, string> = {
      [join(SRC, 'service', 'keys', 'create-key.ts')]: "import { materialBinding } from '../../core/bindings.js';\nconst w = await deps.hierarchy.wrap(m, materialBinding(id, 1));",
      [join(SRC, 'service', 'keys', 'lifecycle', 'lifecycle.ts')]: "import { randomSecret } from '../../../crypto/random.js';",
      [join(SRC, 'service', 'keys', 'import', 'key-import.ts')]: "import type { SecretBytes } from '../../../crypto/secret-bytes.js';\nimport { parsePrivateKey } from '../../../crypto/asymmetric-keys.js';",
      [join(SRC, 'service', 'crypto-ops', 'generate-data-key.ts')]: "import { randomSecret } from '../../crypto/random.js';",
      [join(SRC, 'service', 'pipeline', 'schemas.ts')]: "import { SecretBytes } from '../../crypto/secret-bytes.js';",
      [join(SRC, 'custody', 'provisioner.ts')]: "import { randomSecret } from '../crypto/random.js';\nmaterialBinding(id, 1);",
    };
    assert.deepEqual(serviceMaterialViolations(SRC, Object.keys(sources), (f) => sources[f]!), [
      'service/keys/create-key.ts: uses materialBinding (key versions are wrapped in custody (KeyProvisioner, KeyImporter))',
      'service/keys/import/key-import.ts: imports crypto/asymmetric-keys.ts, which handles key material (custody\'s)',
      'service/keys/import/key-import.ts: imports crypto/secret-bytes.ts (allowed only for: secrets that are not key material, and the pipeline that zeroes inputs, plaintexts and data keys)',
      'service/keys/lifecycle/lifecycle.ts: uses randomSecret (data keys, GenerateRandom output and access-key secrets; new key material comes from the KeyProvisioner)',
    ]);
  });
});
