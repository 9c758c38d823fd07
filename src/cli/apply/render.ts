import { ACTIONS, type Action, type FieldChange, type Plan, type PlannedChange } from './plan.js';

/** The plan for people: one block per resource, `+` / `-` / `~` per field, policies as a line diff. */

const SIGN: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-' };
const COLOUR: Record<Action | 'add' | 'remove', string> = { create: '32', update: '33', replace: '35', delete: '31', add: '32', remove: '31' };

/** The lines of `a` and `b` as a diff: ` ` kept, `-` only in a, `+` only in b (longest common subsequence). */
export function lineDiff(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${a[i]}`);
      i++;
    } else {
      out.push(`+ ${b[j]}`);
      j++;
    }
  }
  return out;
}

/** Lines of unchanged context kept around each change of a document. */
const CONTEXT = 3;

/** `diff` with runs of unchanged lines farther than `context` from a change folded into one `  ...`. */
export function withContext(diff: readonly string[], context: number): string[] {
  const changed = diff.map((l, i) => (l.startsWith('  ') ? -1 : i)).filter((i) => i >= 0);
  const keep = (i: number) => changed.some((c) => Math.abs(c - i) <= context);
  const out: string[] = [];
  for (const [i, l] of diff.entries()) {
    if (keep(i)) out.push(l);
    else if (out[out.length - 1] !== '  ...') out.push('  ...');
  }
  return out;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));
const multiline = (v: unknown): v is string => typeof v === 'string' && v.includes('\n');

function fieldLines(c: FieldChange, paint: (kind: 'add' | 'remove', s: string) => string): string[] {
  const sign = c.from === undefined ? '+' : c.to === undefined ? '-' : '~';
  if (multiline(c.from) || multiline(c.to)) {
    const from = c.from === undefined ? [] : String(c.from).split('\n');
    const to = c.to === undefined ? [] : String(c.to).split('\n');
    const body = withContext(lineDiff(from, to), CONTEXT).map((l) => (l.startsWith('+') ? paint('add', `      ${l}`) : l.startsWith('-') ? paint('remove', `      ${l}`) : `      ${l}`));
    return [`    ${sign} ${c.field}:`, ...body];
  }
  if (sign === '+') return [paint('add', `    + ${c.field}: ${show(c.to)}`)];
  if (sign === '-') return [paint('remove', `    - ${c.field}: ${show(c.from)}`)];
  return [`    ~ ${c.field}: ${show(c.from)} → ${show(c.to)}`];
}

function header(c: PlannedChange): string {
  const where = [c.region, c.keyId].filter((x) => x !== undefined).join(', ');
  const what = c.action === 'delete' ? ' (schedule deletion)' : c.action === 'replace' ? ' (key spec or usage changes: a new key takes the aliases)' : '';
  return `${SIGN[c.action]} ${c.action} ${c.resource} ${c.name}${where === '' ? '' : ` (${where})`}${what}`;
}

/** The plan as text; `colour` paints additions green, removals red, updates yellow (only on a terminal). */
export function renderPlan(plan: Plan, colour: boolean): string {
  const paint = (kind: Action | 'add' | 'remove', s: string): string => (colour ? `\u001b[${COLOUR[kind]}m${s}\u001b[0m` : s);
  if (plan.changes.length === 0) return 'No changes: the live state matches the file.\n';
  const blocks = plan.changes.map((c) => [paint(c.action, header(c)), ...c.changes.flatMap((f) => fieldLines(f, paint))].join('\n'));
  const summary = ACTIONS.map((a) => `${plan.summary[a]} to ${a}`).join(', ');
  return `${blocks.join('\n\n')}\n\nPlan: ${summary}.\n`;
}
