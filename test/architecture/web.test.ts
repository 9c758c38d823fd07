import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/server.js';
import { importsOf } from './layers.js';

const WEB_SRC = join(REPO_ROOT, 'web', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** ADR 0031: the console is a browser client; it shares no code with the server and reaches it only by its protocol. */
describe('the web console (ADR 0031)', () => {
  it('web/src imports nothing outside web/src, and no Node module', () => {
    const bad: string[] = [];
    for (const f of files(WEB_SRC)) {
      for (const spec of importsOf(readFileSync(f, 'utf8'))) {
        const escapes = spec.startsWith('.') && relative(WEB_SRC, resolve(dirname(f), spec)).startsWith('..');
        if (escapes || spec.startsWith('node:')) bad.push(`${relative(REPO_ROOT, f)}: ${spec}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('never injects HTML or evaluates code (the CSP would refuse it; nothing should need it)', () => {
    const bad = files(WEB_SRC).filter((f) => /dangerouslySetInnerHTML|\beval\(|new Function\(|\.innerHTML\s*=|localStorage\./.test(readFileSync(f, 'utf8')));
    assert.deepEqual(bad.map((f) => relative(REPO_ROOT, f)), []);
  });
});
