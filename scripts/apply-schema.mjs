#!/usr/bin/env node
// Writes docs/arca-apply.schema.json, the JSON Schema of the `arca apply` / `arca dev --seed` file, from
// the zod schema (src/manifest/schema.ts) with zod 4's z.toJSONSchema. Run after the build:
//   rm -rf dist && npx tsc -p . && node scripts/apply-schema.mjs
// src/cli/apply/schema.test.ts fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { manifestJsonSchemaText } = await import(new URL('dist/src/manifest/schema.js', root).href);
writeFileSync(new URL('docs/arca-apply.schema.json', root), manifestJsonSchemaText());
process.stdout.write('wrote docs/arca-apply.schema.json\n');
