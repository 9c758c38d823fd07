// Writes src/cli/operations-list.ts, the operations `arca call --help` lists, from the operation registry
// (the cli layer may not import it). Run after a build: npm run cli:operations; src/cli/operations-list.test.ts
// checks the committed file is what the registry describes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { OPERATIONS } = await import(pathToFileURL(join(root, 'dist', 'src', 'service', 'pipeline', 'registry.js')).href);
const { operationsListSource } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'operations-source.js')).href);
writeFileSync(join(root, 'src', 'cli', 'operations-list.ts'), operationsListSource(OPERATIONS.map((op) => ({ target: `${op.service}.${op.name}`, description: op.description }))));
process.stdout.write('wrote src/cli/operations-list.ts\n');
