// Writes docs/cli.md from the command definitions (npm run docs:cli; run after a build).
// src/cli/program.test.ts checks the committed page equals this output.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildProgram } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'program.js')).href);
const { cliDocs } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'docs.js')).href);
const { extraCommands } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'main.js')).href);
writeFileSync(join(root, 'docs', 'cli.md'), cliDocs(buildProgram(extraCommands())));
process.stdout.write('wrote docs/cli.md\n');
