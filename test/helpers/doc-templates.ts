import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';

/** The JSON block after `<!-- template: name -->` in docs/<page> (tests run the documented policies as written). */
export function docTemplate(page: string, name: string): Record<string, unknown> {
  const doc = readFileSync(join(REPO_ROOT, 'docs', page), 'utf8');
  const m = new RegExp(`<!-- template: ${name} -->\\n\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(doc);
  assert.ok(m?.[1], `docs/${page} has no template ${name}`);
  return JSON.parse(m[1]) as Record<string, unknown>;
}

/** A template of docs/identity.md. */
export function identityDocTemplate(name: string): object {
  return docTemplate('identity.md', name);
}
