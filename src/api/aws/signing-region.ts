import type { TransportRequestHead } from '../transport.js';

/**
 * The region a SigV4 request is signed for: the third field of the credential scope, from the
 * `Authorization` header or a presigned request's `X-Amz-Credential` query parameter; undefined when the
 * request is unsigned or the scope unreadable. Read before authentication only to pick the regional
 * pipeline, whose authenticator then checks the signature against that region.
 */
export function signingRegion(head: Pick<TransportRequestHead, 'headers' | 'query'>): string | undefined {
  const authorization = head.headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const fromHeader = authorization === undefined ? undefined : /Credential=[^/,\s]*\/\d{8}\/([^/,\s]+)\//.exec(authorization)?.[1];
  if (fromHeader !== undefined) return fromHeader;
  const credential = /(?:^|&)X-Amz-Credential=([^&]*)/.exec(head.query)?.[1];
  if (credential === undefined) return undefined;
  try {
    return /^[^/]*\/\d{8}\/([^/]+)\//.exec(decodeURIComponent(credential))?.[1];
  } catch {
    return undefined;
  }
}
