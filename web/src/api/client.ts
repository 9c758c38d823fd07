import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Credentials held only in memory (never in localStorage or a cookie). */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** An error answered by Arca, in the AWS shape: its code (`NotFoundException`), message and request id. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Where requests go: the origin the console was served from, unless a test says otherwise. */
export interface Endpoint {
  readonly origin: string;
  readonly region: string;
}

export const sameOrigin = (region: string): Endpoint => ({ origin: window.location.origin, region });

/**
 * Signs a POST to `/` with SigV4 (the AWS SDK's own signer). The browser sets `Host` from the URL, which
 * is the host signed here; `host` is then dropped from the headers fetch is given (it may not set it).
 */
export async function signedRequest(endpoint: Endpoint, credentials: Credentials, service: string, headers: Record<string, string>, body: string, now?: Date): Promise<Record<string, string>> {
  const url = new URL('/', endpoint.origin);
  const signer = new SignatureV4({ service, region: endpoint.region, credentials, sha256: Sha256 });
  const request = new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: '/', headers: { ...headers, host: url.host }, body });
  const signed = await signer.sign(request, now === undefined ? {} : { signingDate: now });
  const { host: _host, ...sendable } = signed.headers;
  return sendable;
}

/** Calls one operation (`TrentService.ListKeys`, `ArcaService.ListAlerts`) over AWS JSON 1.1, signed. */
export async function callOperation<T = Record<string, unknown>>(endpoint: Endpoint, credentials: Credentials, target: string, input: unknown = {}, signal?: AbortSignal): Promise<T> {
  const body = JSON.stringify(input ?? {});
  const headers = await signedRequest(endpoint, credentials, 'kms', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body);
  let res: Response;
  try {
    res = await fetch(new URL('/', endpoint.origin), { method: 'POST', headers, body, signal: signal ?? null, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('ConnectionError', `Arca cannot be reached: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  const text = await res.text();
  let parsed: unknown = {};
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError('InvalidResponse', `Arca answered HTTP ${res.status} with a body that is not JSON`, res.status);
  }
  const obj = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (!res.ok) {
    const type = String(obj['__type'] ?? `HTTP${res.status}`);
    throw new ApiError(type.slice(type.lastIndexOf('#') + 1), String(obj['message'] ?? obj['Message'] ?? ''), res.status, res.headers.get('x-amzn-requestid') ?? undefined);
  }
  return obj as T;
}

/** The approval id an `ApprovalRequiredException` names (`apr-` and 32 hex digits), if any. */
export function heldApprovalId(e: unknown): string | undefined {
  return e instanceof ApiError && e.code === 'ApprovalRequiredException' ? /apr-[0-9a-f]{32}/.exec(e.message)?.[0] : undefined;
}
