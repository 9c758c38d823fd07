import { KmsError } from '../../core/errors.js';
import type { Pipeline } from '../../service/pipeline/pipeline.js';
import type { TransportAdapter, TransportRequestHead } from '../transport.js';
import { awsErrorResponse, handleAwsJson } from './handler.js';
import { claimedSourceArn } from './source-arn.js';

/**
 * A header's value as node's parser reports it: the first value of `user-agent`; every value of any
 * other header joined with `, ` (as `IncomingMessage.headers` does for unknown headers); '' when absent.
 */
export function headerValue(headers: readonly [string, string][], name: string): string {
  const values = headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  return name === 'user-agent' ? (values[0] ?? '') : values.join(', ');
}

/** The request facts the pipeline records for every request, read from AWS's headers. */
function metaOf(head: TransportRequestHead) {
  return {
    target: headerValue(head.headers, 'x-amz-target').slice(0, 256),
    sourceIp: head.sourceIp,
    userAgent: headerValue(head.headers, 'user-agent').slice(0, 1024),
    requestId: head.requestId,
    secureTransport: head.secureTransport,
  };
}

/**
 * The AWS JSON 1.1 transport (`POST /`, `X-Amz-Target: TrentService.<Operation>`, SigV4): every answer,
 * refusals before the pipeline ran included, is AWS-shaped and audited.
 */
export function awsJsonTransport(pipeline: Pipeline): TransportAdapter {
  const refuse = async (head: TransportRequestHead, error: KmsError) => awsErrorResponse(await pipeline.refuse(metaOf(head), error), head.requestId);
  return {
    handle: (req) => {
      let sourceArn: string | undefined;
      try {
        sourceArn = claimedSourceArn(req.headers);
      } catch (e) {
        return refuse(req, e instanceof KmsError ? e : new KmsError('Internal', 'unexpected source ARN failure'));
      }
      return handleAwsJson(pipeline, { ...metaOf(req), method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body, clientCertificate: req.clientCertificate, sourceArn });
    },
    refuse,
    unknownEndpoint: (head) => refuse(head, new KmsError('UnknownOperation', `${head.method} ${head.path.slice(0, 256)} is not an operation endpoint: send POST / with X-Amz-Target.`)),
    answerError: (error, requestId) => awsErrorResponse(error, requestId),
  };
}
