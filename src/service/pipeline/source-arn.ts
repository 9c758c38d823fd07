import { KmsError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { servicePrincipalOf } from '../../core/service-principal.js';

/** An ARN as `aws:SourceArn` carries it: `arn:` and at most 2048 printable characters, no spaces. */
const SOURCE_ARN_RE = /^arn:[\x21-\x7e]{1,2044}$/;

/**
 * The `aws:SourceArn` of a request (ADR 0021): what its transport says the caller claimed, kept only when
 * the caller is a service principal. Any other caller claiming one is refused (AccessDenied), so that a
 * user or role can never satisfy a `SourceArn` grant constraint or an `aws:SourceArn` condition; a
 * malformed ARN is refused (ValidationFailed).
 */
export function sourceArnOf(claimed: string | undefined, caller: Principal): { sourceArn?: string } {
  if (claimed === undefined) return {};
  if (servicePrincipalOf(caller) === undefined) {
    throw new KmsError('AccessDenied', `User: ${caller.arn} is not a service principal and cannot make a request on behalf of a source ARN`);
  }
  if (!SOURCE_ARN_RE.test(claimed)) throw new KmsError('ValidationFailed', 'The source ARN must be an ARN (arn:...) of at most 2048 characters.');
  return { sourceArn: claimed };
}
