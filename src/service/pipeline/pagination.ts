import { KmsError } from '../../core/errors.js';

/** Markers are opaque to callers: the store's cursor, base64url-encoded with a prefix we can check. */
const PREFIX = 'arca1:';

export function encodeMarker(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : Buffer.from(PREFIX + cursor, 'utf8').toString('base64url');
}

export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX) || text.length === PREFIX.length) throw new KmsError('InvalidMarker', 'The marker is not valid.');
  return text.slice(PREFIX.length);
}

/** AWS's paging fields for a page: `NextMarker` and `Truncated`. */
export function pageFields(next: string | undefined): { NextMarker?: string; Truncated: boolean } {
  const marker = encodeMarker(next);
  return marker === undefined ? { Truncated: false } : { NextMarker: marker, Truncated: true };
}
