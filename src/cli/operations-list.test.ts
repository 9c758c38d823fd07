import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { OPERATIONS } from '../service/pipeline/registry.js';
import { operationsListSource } from './operations-source.js';
import { LISTED_OPERATIONS } from './operations-list.js';

describe('the operations arca call --help lists', () => {
  test('src/cli/operations-list.ts is what the operation registry describes (npm run cli:operations)', () => {
    const expected = operationsListSource(OPERATIONS.map((op) => ({ target: `${op.service}.${op.name}`, description: op.description })));
    const committed = readFileSync(new URL('../../../src/cli/operations-list.ts', import.meta.url), 'utf8');
    assert.equal(committed, expected, 'src/cli/operations-list.ts is stale: run npm run cli:operations');
    assert.equal(LISTED_OPERATIONS.length, OPERATIONS.length);
    assert.ok(LISTED_OPERATIONS.some((o) => o.target === 'TrentService.Encrypt' && o.description.length > 0));
  });
});
