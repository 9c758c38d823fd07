import { timeOrderedId } from '../../crypto/random.js';
import type { AuthorizationRequest, Authorizer, Decision } from '../../core/authorization.js';
import { GRANT_OPERATIONS, liveGrants, type GrantOperation } from '../../core/grant.js';
import type { GrantStore } from '../../core/ports.js';
import type { AlertSink } from './alert.js';
import { BoundedMap } from './windows.js';

/** The `rule` of the alert (the `rule` label of `arca_alerts_total`). */
export const EXPIRED_GRANT_RULE = 'expired-grant-use';

/** One alert per expired grant at most this often (ms): a client retrying in a loop raises one, not thousands. */
const REPEAT_AFTER_MS = 60_000;
/** Expired grants remembered for that purpose at most (the least recently alerted are forgotten). */
const REMEMBERED = 10_000;

/** `kms:Decrypt` → `Decrypt` when it is an operation a grant can allow. */
function grantOperationOf(action: string): GrantOperation | undefined {
  if (!action.startsWith('kms:')) return undefined;
  const name = action.slice(4);
  return GRANT_OPERATIONS.find((o) => o === name);
}

/**
 * Just-in-time access used outside its window (issue 18): wraps the pipeline's authorizer and, when a
 * request on a key is refused and the caller holds a grant on that key for that operation which has
 * expired (itself or through the grant it was made under), raises an `expiredGrantUse` alert (severity
 * high) through the anomaly-detection sink: an `Alert` audit event, `arca_alerts_total`, the log and the
 * webhooks. The decision is never changed, and a failure to check is swallowed: it must not fail the
 * request. Costs one read of the key's grants per refusal on a key, none per allowed request. Raised
 * whether or not anomaly detection's rules are enabled (it is not one of them).
 */
export class ExpiredGrantWatch implements Authorizer {
  readonly #inner: Authorizer;
  readonly #grants: Pick<GrantStore, 'grantsForKey'>;
  readonly #sink: AlertSink;
  readonly #alerted = new BoundedMap<string, number>(REMEMBERED);

  constructor(inner: Authorizer, grants: Pick<GrantStore, 'grantsForKey'>, sink: AlertSink) {
    this.#inner = inner;
    this.#grants = grants;
    this.#sink = sink;
  }

  async authorize(request: AuthorizationRequest): Promise<Decision> {
    const decision = await this.#inner.authorize(request);
    if (decision !== 'Allow' && request.key !== undefined) {
      try {
        await this.#check(request);
      } catch {
        // Detection never fails a request: the refusal stands either way.
      }
    }
    return decision;
  }

  async #check(request: AuthorizationRequest): Promise<void> {
    const { principal, key } = request;
    const operation = grantOperationOf(request.action);
    const time = request.request?.time;
    if (operation === undefined || key === undefined || time === undefined) return;
    const roleArn = principal.session?.kind === 'AssumedRole' ? principal.session.issuerArn : undefined;
    const expired = liveGrants(await this.#grants.grantsForKey(key.id)).find(
      (g) =>
        (g.granteePrincipal === principal.arn || (roleArn !== undefined && g.granteePrincipal === roleArn)) &&
        g.granteePrincipalId === principal.id &&
        g.operations.includes(operation) &&
        g.expiresAt !== undefined &&
        g.expiresAt.getTime() <= time.getTime(),
    );
    if (expired?.expiresAt === undefined) return;
    const last = this.#alerted.get(expired.grantId);
    if (last !== undefined && time.getTime() - last < REPEAT_AFTER_MS) return;
    this.#alerted.set(expired.grantId, time.getTime());
    this.#sink.raise({
      id: timeOrderedId(time.getTime()),
      rule: EXPIRED_GRANT_RULE,
      type: 'expiredGrantUse',
      severity: 'high',
      time,
      principalArn: principal.arn,
      keyArn: request.resource,
      sourceIp: request.request?.sourceIp ?? '',
      summary: `${principal.arn} was refused ${request.action} on ${request.resource}: its grant ${expired.grantId} for ${operation} expired at ${expired.expiresAt.toISOString()}`,
      details: { grantId: expired.grantId, operation, expiredAt: expired.expiresAt.toISOString() },
    });
  }
}
