import type { SecretBytes } from '../../crypto/secret-bytes.js';
import type { KmsError } from '../../core/errors.js';
import type { AuthenticationRequest } from '../../core/ports.js';
import { newRequestId, type Pipeline } from '../../service/pipeline.js';
import { AWS_ERRORS } from './errors.js';
import { parseJsonBody } from './json.js';
import { toWire } from './wire.js';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface AwsHttpRequest extends AuthenticationRequest {
  readonly sourceIp: string;
}

export interface AwsHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** Secrets serialized into `body`: zero them (and the body) once it is sent. */
  readonly secrets: readonly SecretBytes[];
}

function header(req: AuthenticationRequest, name: string): string | undefined {
  for (const [k, v] of req.headers) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** An AWS-shaped error response: `{"__type": ..., "message": ...}` with AWS's status code. */
export function awsErrorResponse(error: KmsError, requestId: string): AwsHttpResponse {
  const { type, status } = AWS_ERRORS[error.code];
  return {
    status,
    headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': type },
    body: Buffer.from(JSON.stringify({ __type: type, message: error.message })),
    secrets: [],
  };
}

/**
 * The AWS JSON 1.1 adapter: `POST /` with `X-Amz-Target: TrentService.<Operation>`. It only translates:
 * authentication, validation, authorization and audit happen in the pipeline for every target.
 */
export async function handleAwsJson(pipeline: Pipeline, req: AwsHttpRequest): Promise<AwsHttpResponse> {
  const requestId = newRequestId();
  const result = await pipeline.handle({
    target: header(req, 'x-amz-target') ?? '',
    auth: req,
    parseBody: () => parseJsonBody(req.body),
    sourceIp: req.sourceIp,
    userAgent: (header(req, 'user-agent') ?? '').slice(0, 1024),
    requestId,
  });
  if (!result.ok) return awsErrorResponse(result.error, requestId);
  const secrets: SecretBytes[] = [];
  const body = Buffer.from(JSON.stringify(toWire(result.output, secrets)));
  return { status: 200, headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body, secrets };
}
