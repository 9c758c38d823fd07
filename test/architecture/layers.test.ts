import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/server.js';
import { checkFile, checkTree, importsOf } from './layers.js';

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
});
