import type { AdminCredentials } from '../../core/custody.js';
import type { TransportAdapter, TransportRequestHead } from '../transport.js';
import { hmac } from '../../crypto/kdf.js';
import { canonicalRequest, headerMap, parseAuthorization, signingKey, stringToSign } from '../../auth/sigv4.js';
import { newRequestId } from '../../service/pipeline/pipeline.js';

/** One answer of {@link DevSelfClient.call}: the operation's output, or its AWS error. */
export type SelfCallResult = { readonly ok: true; readonly output: Record<string, unknown> } | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

/**
 * In-process AWS JSON client (dev mode: `arca dev --seed`, `POST /moto-api/reset`). Dev mode calling its own operations as the bootstrap administrator (the seed file, `POST
 * /moto-api/reset`): each call is an AWS JSON request SigV4-signed with the administrator's secret and
 * handed to the same transport as a client's, so it is authenticated, authorized and audited like one
 * (the audit event names the administrator and the source address of the request that caused it).
 */
export class DevSelfClient {
  readonly #transport: TransportAdapter;
  readonly #admin: () => AdminCredentials | undefined;
  readonly #region: string;

  constructor(transport: TransportAdapter, admin: () => AdminCredentials | undefined, region: string) {
    this.#transport = transport;
    this.#admin = admin;
    this.#region = region;
  }

  /**
   * Calls `target` (`TrentService.CreateKey`) with `input` in `region` (default the home region), on behalf
   * of the request `cause` (its source address).
   */
  async call(target: string, input: unknown, cause?: Pick<TransportRequestHead, 'sourceIp' | 'secureTransport'>, region = this.#region): Promise<SelfCallResult> {
    const admin = this.#admin();
    if (admin === undefined) throw new Error('dev mode: the bootstrap administrator is not ready yet');
    const body = Buffer.from(JSON.stringify(input ?? {}));
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const date = amzDate.slice(0, 8);
    const headers: [string, string][] = [
      ['host', 'arca.dev.internal'],
      ['content-type', 'application/x-amz-json-1.1'],
      ['x-amz-date', amzDate],
      ['x-amz-target', target],
    ];
    const signed = headers.map(([h]) => h);
    const credential = `${admin.accessKeyId}/${date}/${region}/kms/aws4_request`;
    const draft = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signed.join(';')}, Signature=${'0'.repeat(64)}`;
    const request = { method: 'POST', path: '/', query: '', headers, body };
    const toSign = stringToSign(amzDate, parseAuthorization(draft), canonicalRequest(request, headerMap(headers), signed));
    const key = signingKey(admin.secretAccessKey, date, region, 'kms');
    let signature: string;
    try {
      signature = hmac('sha256', key, Buffer.from(toSign)).toString('hex');
    } finally {
      key.dispose();
    }
    headers.push(['authorization', draft.replace(/Signature=0+$/, `Signature=${signature}`)]);
    const res = await this.#transport.handle({ ...request, sourceIp: cause?.sourceIp ?? '127.0.0.1', secureTransport: cause?.secureTransport ?? false, requestId: newRequestId() });
    for (const s of res.secrets) s.dispose();
    const text = typeof res.body === 'string' ? res.body : res.body.toString('utf8');
    const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (res.status === 200) return { ok: true, output: parsed };
    return { ok: false, status: res.status, code: String(parsed['__type'] ?? `HTTP${res.status}`), message: String(parsed['message'] ?? parsed['Message'] ?? '') };
  }
}
