import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';

/** The JSON block after `<!-- template: name -->` in docs/identity.md (tests run the documented policies as written). */
export function identityDocTemplate(name: string): object {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'identity.md'), 'utf8');
  const m = new RegExp(`<!-- template: ${name} -->\\n\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(doc);
  assert.ok(m?.[1], `docs/identity.md has no template ${name}`);
  return JSON.parse(m[1]) as object;
}
