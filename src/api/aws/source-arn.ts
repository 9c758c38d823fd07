import { KmsError } from '../../core/errors.js';

/** The header a service principal names the resource it acts for in (`aws:SourceArn`, ADR 0021). */
export const SOURCE_ARN_HEADER = 'x-arca-source-arn';

/**
 * The source ARN a request claims in {@link SOURCE_ARN_HEADER}, or undefined without one. The header must
 * be covered by the request's SigV4 signature (named in `SignedHeaders`), so that whoever relays or
 * replays a service principal's signed request cannot point it at another resource; an unsigned or
 * repeated header is refused. Whether the caller may claim a source ARN at all is the pipeline's check.
 */
export function claimedSourceArn(headers: readonly [string, string][]): string | undefined {
  const values = headers.filter(([k]) => k.toLowerCase() === SOURCE_ARN_HEADER);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new KmsError('ValidationFailed', `The ${SOURCE_ARN_HEADER} header must be sent once.`);
  const authorization = headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1] ?? '';
  const signed = /SignedHeaders=([^,\s]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  if (!signed.includes(SOURCE_ARN_HEADER)) throw new KmsError('AccessDenied', `The ${SOURCE_ARN_HEADER} header must be signed (named in SignedHeaders).`);
  return values[0]?.[1].trim();
}
