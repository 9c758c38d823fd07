import { KmsError } from '../../core/errors.js';

export const MAX_JSON_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a request body as a JSON object, bounded in nesting depth, refusing keys that could reach an
 * object's prototype once copied. Every failure is a SerializationException.
 */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KmsError('SerializationFailed', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KmsError('SerializationFailed', 'The request body must be a JSON object.');
  }
  check(value, 1);
  return Object.fromEntries(Object.entries(value));
}

function check(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_JSON_DEPTH) throw new KmsError('SerializationFailed', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  if (Array.isArray(value)) {
    for (const v of value) check(v, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) throw new KmsError('SerializationFailed', `The request body contains the reserved member name '${k}'.`);
    check(v, depth + 1);
  }
}
