import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Target {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An autocannon request, SigV4-signed once and replayed (signatures stay valid for 5 minutes). */
export interface PresignedRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export async function presign(t: Target, target: string, input: unknown): Promise<PresignedRequest> {
  const url = new URL('/', t.endpoint);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ service: 'kms', region: t.region, credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey }, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    }),
  );
  return { method: 'POST', path: '/', headers: signed.headers, body };
}

/** Sends one signed request and returns the parsed JSON answer; throws on a non-2xx answer. */
export async function call(t: Target, target: string, input: unknown): Promise<Record<string, unknown>> {
  const r = await presign(t, target, input);
  const { host: _host, ...headers } = r.headers;
  const res = await fetch(new URL('/', t.endpoint), { method: 'POST', headers, body: r.body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target} → HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}
