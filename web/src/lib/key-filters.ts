/** The keys list's rows and filters, as pure data (the view loads, this decides what shows). */

export interface KeyRow {
  readonly keyId: string;
  readonly arn: string;
  readonly aliases: readonly string[];
  /** Undefined until DescribeKey / ListResourceTags answered for the row. */
  readonly state?: string | undefined;
  readonly spec?: string | undefined;
  readonly usage?: string | undefined;
  readonly description?: string | undefined;
  readonly tags?: readonly { readonly TagKey: string; readonly TagValue: string }[] | undefined;
}

export interface KeyFilters {
  readonly state: string;
  readonly spec: string;
  /** `key=value`, `key=` (any value) or `key`. */
  readonly tag: string;
  readonly alias: string;
  readonly region: string;
}

export const NO_FILTERS: KeyFilters = { state: '', spec: '', tag: '', alias: '', region: '' };

/** The region of a key ARN (`arn:aws:kms:REGION:account:key/id`). */
export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** Whether a row passes the filters; a filter on details the row has not loaded yet does not pass. */
export function matches(row: KeyRow, f: KeyFilters): boolean {
  if (f.region !== '' && arnRegion(row.arn) !== f.region) return false;
  const alias = f.alias.trim().toLowerCase();
  if (alias !== '' && !row.aliases.some((a) => a.toLowerCase().includes(alias))) return false;
  if (f.state !== '' && row.state !== f.state) return false;
  if (f.spec !== '' && row.spec !== f.spec) return false;
  const tag = f.tag.trim();
  if (tag !== '') {
    const eq = tag.indexOf('=');
    const key = eq < 0 ? tag : tag.slice(0, eq).trim();
    const value = eq < 0 ? undefined : tag.slice(eq + 1).trim();
    if (!(row.tags ?? []).some((t) => t.TagKey === key && (value === undefined || value === '' || t.TagValue === value))) return false;
  }
  return true;
}

/** Whether a filter needs each key's details (DescribeKey, tags), not just ListKeys and ListAliases. */
export function needsDetails(f: KeyFilters): boolean {
  return f.state !== '' || f.spec !== '' || f.tag.trim() !== '';
}

/** Alias names by target key id, from ListAliases (AWS managed aliases with no target are dropped). */
export function aliasesByKey(aliases: readonly { AliasName?: string; TargetKeyId?: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of aliases) {
    if (a.TargetKeyId === undefined || a.AliasName === undefined) continue;
    out.set(a.TargetKeyId, [...(out.get(a.TargetKeyId) ?? []), a.AliasName]);
  }
  return out;
}
