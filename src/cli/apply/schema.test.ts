import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { manifestJsonSchemaText, parseManifest } from '../../manifest/schema.js';

const root = new URL('../../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

describe('the arca apply file schema (issue 23)', () => {
  it('docs/arca-apply.schema.json is the one generated from the zod schema (node scripts/apply-schema.mjs)', () => {
    assert.equal(read('docs/arca-apply.schema.json'), manifestJsonSchemaText(), 'regenerate with: rm -rf dist && npx tsc -p . && node scripts/apply-schema.mjs');
  });

  it('describes what the zod schema accepts: keys, principals, approval rules, the deletion window', () => {
    const schema: unknown = JSON.parse(read('docs/arca-apply.schema.json'));
    const props = Object.keys((schema as { properties: Record<string, unknown> }).properties).sort();
    assert.deepEqual(props, ['approvalRules', 'deletionWindowInDays', 'keys', 'principals']);
    assert.equal((schema as { additionalProperties?: unknown }).additionalProperties, false, 'unknown sections are refused, as zod does');
  });

  it('the worked example of docs/policy-as-code.md is the example file, and valid', () => {
    const page = read('docs/policy-as-code.md');
    const block = /```yaml\n([\s\S]*?)```/.exec(page)?.[1];
    assert.ok(block !== undefined, 'the page has a yaml block');
    assert.equal(block, read('docs/examples/policy-as-code/arca.yaml'), 'the page shows docs/examples/policy-as-code/arca.yaml as it is');
    const doc = parseManifest(parseYaml(block), 'docs/policy-as-code.md', (rel) => read(`docs/examples/policy-as-code/${rel}`));
    assert.match(doc.keys?.[0]?.policy ?? '', /OrdersServiceUsesTheKey/, 'policyFile is read relative to the file');
    assert.ok((doc.keys ?? []).length >= 2 && (doc.principals ?? []).length >= 1);
  });
});
