import type { Pipeline } from '../service/pipeline/pipeline.js';
import { awsJsonTransport, headerValue } from './aws/transport.js';
import { stsQueryTransport } from './sts/transport.js';
import { signingRegion } from './aws/signing-region.js';
import type { TransportAdapter, TransportRequestHead } from './transport.js';

/**
 * Whether a request on `POST /` is an STS Query request rather than AWS JSON (ADR 0018): its body is
 * form-encoded, and it is unsigned or signed for service `sts` (a form body signed for `kms` stays with
 * the JSON adapter, which refuses it in KMS's words).
 */
export function isStsRequest(head: Pick<TransportRequestHead, 'headers'>): boolean {
  const contentType = headerValue(head.headers, 'content-type').toLowerCase();
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return false;
  const authorization = headerValue(head.headers, 'authorization');
  if (authorization === '') return true;
  return /Credential=[^/,\s]*\/[^/,\s]*\/[^/,\s]*\/sts\/aws4_request/.test(authorization);
}

/**
 * The transport of `POST /`: AWS JSON 1.1 (KMS and Arca's operations) and the STS Query protocol on one
 * path, told apart by {@link isStsRequest}. Every refusal is answered (and recorded) in the words of the
 * protocol the request was speaking.
 */
export function awsEndpointTransport(pipeline: Pipeline): TransportAdapter {
  const json = awsJsonTransport(pipeline);
  const sts = stsQueryTransport(pipeline);
  const pick = (head: Pick<TransportRequestHead, 'headers'>) => (isStsRequest(head) ? sts : json);
  return {
    handle: (req) => pick(req).handle(req),
    refuse: (head, error) => pick(head).refuse(head, error),
    unknownEndpoint: (head) => pick(head).unknownEndpoint(head),
    answerError: (error, requestId) => json.answerError(error, requestId),
  };
}

/**
 * Several regions on one endpoint (issue 20, ADR 0022): each request goes to the transport of the region
 * its signature is scoped to (`forRegion`), an unsigned one, or one for a region not served, to the home
 * region's (whose authenticator then refuses a foreign scope in AWS's words).
 */
export function regionalTransport(forRegion: (region: string) => TransportAdapter | undefined, home: TransportAdapter): TransportAdapter {
  const pick = (head: TransportRequestHead) => {
    const region = signingRegion(head);
    return (region === undefined ? undefined : forRegion(region)) ?? home;
  };
  return {
    handle: (req) => pick(req).handle(req),
    refuse: (head, error) => pick(head).refuse(head, error),
    unknownEndpoint: (head) => pick(head).unknownEndpoint(head),
    answerError: (error, requestId) => home.answerError(error, requestId),
  };
}
