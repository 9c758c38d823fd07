import type { SecretBytes } from '../../crypto/secret-bytes.js';
import type { SecretText } from '../../crypto/secret-text.js';
import type { KmsError } from '../../core/errors.js';
import type { AuthenticationRequest } from '../../core/ports.js';
import type { Pipeline } from '../../service/pipeline/pipeline.js';
import type { TransportResponse } from '../transport.js';
import { AWS_ERRORS } from './errors.js';
import { awsInvalidInput, parseAwsInput } from './input.js';
import { parseJsonBody } from './json.js';
import { wireJson } from './wire.js';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** A request as the listener received it, with what it already read off the transport. */
export interface AwsHttpRequest extends AuthenticationRequest {
  readonly target: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestId: string;
  /** Whether the request arrived over TLS (`aws:SecureTransport`). */
  readonly secureTransport: boolean;
  /** The signed `x-arca-source-arn` header's value (ADR 0021), if the request has one. */
  readonly sourceArn?: string | undefined;
}

/** An AWS JSON answer: the JSON text as a string (written without an intermediate Buffer) or, when it carries secrets, a Buffer zeroed once sent. */
export type AwsHttpResponse = TransportResponse;

/**
 * An AWS-shaped error response: `{"__type": ..., "message": ...}` with AWS's status code, or `{"__type": ...}`
 * alone where AWS sends no message (the code's shape says `bare`, or the error is `codeOnly`).
 */
export function awsErrorResponse(error: KmsError, requestId: string): AwsHttpResponse {
  const { type, status, bare } = AWS_ERRORS[error.code];
  const body = bare === true || error.codeOnly ? { __type: type } : { __type: type, message: error.message };
  return {
    status,
    headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': type },
    body: Buffer.from(JSON.stringify(body)),
    secrets: [],
  };
}

/**
 * The AWS JSON 1.1 adapter: `POST /` with `X-Amz-Target: TrentService.<Operation>`. It only translates:
 * authentication, validation, authorization and audit happen in the pipeline for every target.
 */
export async function handleAwsJson(pipeline: Pipeline, req: AwsHttpRequest): Promise<AwsHttpResponse> {
  const { requestId } = req;
  const result = await pipeline.handle({
    target: req.target,
    auth: req,
    parseBody: (schema) => parseAwsInput(schema, parseJsonBody(req.body)),
    invalidInput: awsInvalidInput,
    sourceIp: req.sourceIp,
    userAgent: req.userAgent,
    requestId,
    secureTransport: req.secureTransport,
    sourceArn: req.sourceArn,
  });
  if (!result.ok) return awsErrorResponse(result.error, requestId);
  const secrets: (SecretBytes | SecretText)[] = [];
  const json = wireJson(result.output, secrets);
  const body = secrets.length > 0 ? Buffer.from(json) : json;
  return { status: 200, headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body, secrets };
}
