/** `--output json|table` (DESIGN.md §6): JSON for scripts, a plain aligned table for people. */
export type OutputFormat = 'json' | 'table';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'table') return 'table';
  if (value === 'json') return 'json';
  throw new Error(`--output must be json or table, not '${value}'`);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Renders rows (objects) as an aligned table with the given columns, or as JSON. */
export function render(format: OutputFormat, value: unknown, columns?: readonly string[]): string {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n';
  const rows: Record<string, unknown>[] = Array.isArray(value) ? value : [value as Record<string, unknown>];
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (rows.length === 0) return '(none)\n';
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line([...cols]), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n';
}
