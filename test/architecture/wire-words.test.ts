import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/server.js';
import { sourceFiles } from './layers.js';
import { WIRE_WORDS_ALLOWED, wireWordViolations } from './wire-words.js';

const SRC = join(REPO_ROOT, 'src');

describe('AWS wire words stay in api/aws (issue 13 item 5)', () => {
  it('src/service, src/core and src/server use no AWS header name, base64 or AWS validation wording', () => {
    const violations = wireWordViolations(SRC, sourceFiles(SRC), (f) => readFileSync(f, 'utf8'));
    assert.deepEqual(violations, []);
  });

  it('flags each wire word in a service, core or server module, and nothing in api/aws or tests', () => {
    const sources: Record<string, string> = {
      [join(SRC, 'server', 'listener.ts')]: "const target = req.headers['X-Amz-Target'];",
      [join(SRC, 'service', 'op.ts')]: "const b = Buffer.from(v, 'base64');",
      [join(SRC, 'core', 'err.ts')]: '`2 validation errors detected: ...`',
      [join(SRC, 'service', 'marker.ts')]: "Buffer.from(m, 'base64url')",
      [join(SRC, 'api', 'aws', 'input.ts')]: "'x-amz-target' base64 '1 validation error detected'",
      [join(SRC, 'service', 'op.test.ts')]: "'base64'",
    };
    assert.deepEqual(wireWordViolations(SRC, Object.keys(sources), (f) => sources[f]!), ['core/err.ts: 1 validation error', 'server/listener.ts: x-amz-', 'service/op.ts: base64']);
  });

  it('allows only modules that exist', () => {
    const files = new Set(sourceFiles(SRC).map((f) => f.slice(SRC.length + 1).split('\\').join('/')));
    for (const m of Object.keys(WIRE_WORDS_ALLOWED)) assert.ok(files.has(m), m);
  });
});
