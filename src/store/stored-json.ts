import type { Tag } from '../core/key.js';
import type { PrincipalRefs } from '../core/principal.js';

/**
 * The JSON columns every store keeps for STS (session tags, transitive tag keys, a trust policy's
 * resolved principals), read back strictly: a value of the wrong shape reads as empty, which grants
 * nothing (no tags, no principal references).
 */

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A stored list of `{ key, value }` tags. */
export function parseTags(text: string): Tag[] {
  const v = parse(text);
  if (!Array.isArray(v)) return [];
  return v.flatMap((t: unknown) => {
    if (typeof t !== 'object' || t === null) return [];
    const key: unknown = Reflect.get(t, 'key');
    const value: unknown = Reflect.get(t, 'value');
    return typeof key === 'string' && typeof value === 'string' ? [{ key, value }] : [];
  });
}

/** A stored list of strings. */
export function parseStrings(text: string): string[] {
  const v = parse(text);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Stored principal references: ARN → unique id or null. */
export function parseRefs(text: string): PrincipalRefs {
  const v = parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const out: Record<string, string | null> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || x === null) out[k] = x;
  return out;
}
