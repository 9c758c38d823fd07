import type { SecretText } from '../../crypto/secret-text.js';
import { KmsError } from '../../core/errors.js';
import type { Pipeline } from '../../service/pipeline/pipeline.js';
import type { TransportAdapter, TransportRequest, TransportRequestHead, TransportResponse } from '../transport.js';
import { headerValue } from '../aws/transport.js';
import { awsInvalidInput } from '../aws/input.js';
import { STS_ERRORS } from './errors.js';
import { formParams, parseQueryInput } from './query.js';
import { queryError, queryResponse } from './xml.js';

/** The registry service of STS's operations (their targets are `<service>.<Action>`). */
export const STS_SERVICE = 'AWSSecurityTokenServiceV20110615';
/** The one API version STS has. */
export const STS_VERSION = '2011-06-15';
const XML = 'text/xml';

/** An STS error answer in AWS's XML, with AWS's code, status and fault type. */
export function stsErrorResponse(error: KmsError, requestId: string): TransportResponse {
  const { code, status, type } = STS_ERRORS[error.code];
  return { status, headers: { 'content-type': XML, 'x-amzn-requestid': requestId }, body: queryError(type, code, error.message, requestId), secrets: [] };
}

/** The registry target of a Query request: `<service>.<Action>` for version 2011-06-15, otherwise one no operation has. */
function targetOf(params: ReadonlyMap<string, string>): string {
  const action = params.get('Action') ?? '';
  const version = params.get('Version') ?? '';
  if (!/^[A-Za-z]{1,64}$/.test(action)) return `${STS_SERVICE}.(invalid Action)`;
  return version === STS_VERSION ? `${STS_SERVICE}.${action}` : `${STS_SERVICE}.${action}@${version.slice(0, 32)}`;
}

function metaOf(head: TransportRequestHead, target: string) {
  return {
    target,
    sourceIp: head.sourceIp,
    userAgent: headerValue(head.headers, 'user-agent').slice(0, 1024),
    requestId: head.requestId,
    secureTransport: head.secureTransport,
  };
}

/**
 * The AWS STS Query transport (ADR 0018): form-encoded `POST /` with `Action` and `Version=2011-06-15`,
 * SigV4 scoped to service `sts`, XML answers. It only translates: authentication, validation,
 * authorization and audit happen in the pipeline, as for every other transport.
 */
export function stsQueryTransport(pipeline: Pipeline): TransportAdapter {
  const refuse = async (head: TransportRequestHead, error: KmsError, target = STS_SERVICE) => stsErrorResponse(await pipeline.refuse(metaOf(head, target), error), head.requestId);
  return {
    async handle(req: TransportRequest): Promise<TransportResponse> {
      let params: Map<string, string>;
      try {
        params = formParams(req.body);
      } catch (e) {
        return refuse(req, e instanceof KmsError ? e : new KmsError('SerializationFailed', 'The request body is not a valid form.'));
      }
      const target = targetOf(params);
      const result = await pipeline.handle({
        ...metaOf(req, target),
        auth: { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body, signingService: 'sts', clientCertificate: req.clientCertificate },
        parseBody: (schema) => parseQueryInput(schema, params),
        invalidInput: awsInvalidInput,
      });
      if (!result.ok) return stsErrorResponse(result.error, req.requestId);
      const secrets: SecretText[] = [];
      const action = target.slice(STS_SERVICE.length + 1);
      return { status: 200, headers: { 'content-type': XML, 'x-amzn-requestid': req.requestId }, body: queryResponse(action, result.output, req.requestId, secrets), secrets };
    },
    refuse: (head, error) => refuse(head, error),
    unknownEndpoint: (head) => refuse(head, new KmsError('UnknownOperation', `${head.method} ${head.path.slice(0, 256)} is not an operation endpoint: send POST / with a form-encoded Action.`)),
    answerError: (error, requestId) => stsErrorResponse(error, requestId),
  };
}
