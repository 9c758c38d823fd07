import { stringify } from 'yaml';

/** `--output json|table|yaml` (DESIGN.md §6): JSON or YAML for scripts, a plain aligned table for people. */
export type OutputFormat = 'json' | 'table' | 'yaml';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'table') return 'table';
  if (value === 'json' || value === 'yaml') return value;
  throw new Error(`--output must be json, table or yaml, not '${value}'`);
}

/**
 * Whether to colour what goes to stdout: only on a terminal, and never when NO_COLOR is set (to anything
 * but the empty string, https://no-color.org).
 */
export function colourWanted(env: NodeJS.ProcessEnv = process.env, tty: boolean = process.stdout.isTTY === true): boolean {
  return tty && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');
}

const bold = (text: string): string => `\u001b[1m${text}\u001b[22m`;

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Drops `undefined` members, as JSON does, so YAML and JSON print the same members. */
const plain = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

function isRow(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Renders `value` as JSON, YAML, or an aligned table of rows (objects) with the given columns (the header
 * in bold when `colour`). A table of scalars prints one per line.
 */
export function render(format: OutputFormat, value: unknown, columns?: readonly string[], colour = false): string {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n';
  if (format === 'yaml') return stringify(plain(value));
  const items: unknown[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (items.length === 0) return '(none)\n';
  if (!items.every(isRow)) return items.map((i) => cell(i)).join('\n') + '\n';
  const rows = items.filter(isRow);
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const header = line([...cols]);
  return [colour ? bold(header) : header, ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n';
}
