import type { Command, Option } from 'commander';

/**
 * docs/cli.md, generated from the command definitions (`npm run docs:cli`); a test checks the committed
 * page equals what this generates, so the page cannot drift from the program.
 */

const cellText = (s: string): string => s.replace(/\|/g, '\\|');

function optionRows(options: readonly Option[]): string[] {
  const visible = options.filter((o) => !o.hidden);
  if (visible.length === 0) return [];
  return ['| Option | Description |', '| --- | --- |', ...visible.map((o) => `| \`${o.flags}\` | ${cellText(o.description)}${o.mandatory ? ' (required)' : ''} |`), ''];
}

function usageOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return `${names.join(' ')} ${cmd.usage()}`.trimEnd();
}

function section(cmd: Command, depth: number, out: string[]): void {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (depth > 0) {
    out.push(`${'#'.repeat(Math.min(depth + 1, 4))} ${usageOf(cmd).split(' [')[0]?.split(' <')[0] ?? cmd.name()}`, '', cmd.description(), '', '```', usageOf(cmd), '```', '');
    const args = cmd.registeredArguments;
    if (args.length > 0) out.push('| Argument | Description |', '| --- | --- |', ...args.map((a) => `| \`${a.name()}\` | ${cellText(a.description)}${a.required ? ' (required)' : ''} |`), '');
    out.push(...optionRows(cmd.options));
  }
  for (const sub of subs) section(sub, depth + 1, out);
}

/** The Markdown page for `program`. */
export function cliDocs(program: Command): string {
  const out = [
    '# The `arca` command line',
    '',
    '<!-- Generated from the command definitions (src/cli/program.ts): edit those, then run `npm run docs:cli`. -->',
    '',
    '`arca` runs Arca (`arca dev`, `arca server`) and is its client: every command below, with its options, as',
    '`arca <command> --help` prints it.',
    '',
    'Every client command takes the global options, before or after the command name (`arca --output json principal list`',
    'and `arca principal list --output json` are the same). `arca help <command>` and `<command> --help` work at every',
    'level. Exit codes: 0 success, 1 the operation failed (one line on stderr: `arca: <Code>: <message> (request id <id>)`),',
    '2 a usage error (the message, then the command\'s usage). Colour only on a terminal, never with `NO_COLOR` set.',
    'Shell completion: `source <(arca completion bash)` (zsh alike), `arca completion fish | source`.',
    '',
    'The server-side commands (`dev`, `server`, `storage`, `backup verify|restore`, `backup create --from`,',
    '`operator export-recovery|recover-shares`) run in the server process; their own `--help` describes their options.',
    '',
    '## Global options',
    '',
    ...optionRows(program.options),
  ];
  section(program, 0, out);
  return out.join('\n').replace(/\n+$/, '\n');
}
