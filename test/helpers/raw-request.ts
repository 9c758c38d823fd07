import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DevServer } from './server.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
  json(): { __type?: string; message?: string } & Record<string, unknown>;
}

/**
 * Sends a hand-made request to a dev server: any body bytes, optionally SigV4-signed with the server's
 * admin credentials by the real AWS signer, so malformed input can be tested past authentication.
 */
export async function rawRequest(
  server: Pick<DevServer, 'endpoint' | 'credentials'>,
  opts: { target?: string; body: string | Buffer; sign?: boolean; method?: string; path?: string; headers?: Record<string, string>; signingDate?: Date },
): Promise<RawResponse> {
  const url = new URL(opts.path ?? '/', server.endpoint);
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    ...(opts.target !== undefined ? { 'x-amz-target': opts.target } : {}),
    ...opts.headers,
  };
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
  if (opts.sign !== false) {
    const signer = new SignatureV4({
      service: 'kms',
      region: server.credentials.region,
      credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey },
      sha256: Sha256,
    });
    const signed = await signer.sign(
      new HttpRequest({ method: opts.method ?? 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, headers, body }),
      opts.signingDate === undefined ? undefined : { signingDate: opts.signingDate },
    );
    headers = signed.headers;
  }
  const { host: _host, ...sendable } = headers;
  const res = await fetch(url, { method: opts.method ?? 'POST', headers: sendable, body: (opts.method ?? 'POST') === 'GET' ? undefined : body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text, json: () => JSON.parse(text) };
}
