import { KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { DevServer } from './server.js';

/** A real AWS SDK client whose connections leave from `localAddress` (127.0.0.2 is loopback too: another source). */
export function kmsClientFrom(server: Pick<DevServer, 'endpoint' | 'credentials'>, localAddress: string): KMSClient {
  return new KMSClient({
    endpoint: server.endpoint,
    region: server.credentials.region,
    credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, localAddress }) }),
  });
}

/**
 * Sends `count` unsigned requests one after another over one keep-alive connection and returns the
 * `__type` of each answer, in order.
 */
export async function unsignedFlood(endpoint: string, count: number, headers: Record<string, string> = {}): Promise<string[]> {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const types: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      types.push(
        await new Promise<string>((ok, fail) => {
          const body = '{"KeyId":"alias/x","Plaintext":"AA=="}';
          const req = request(
            { host: url.hostname, port: url.port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt', 'content-length': String(body.length), ...headers } },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => (text += d));
              res.on('end', () => ok(`${res.statusCode} ${(JSON.parse(text) as { __type: string }).__type}`));
            },
          );
          req.on('error', fail);
          req.end(body);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return types;
}

/** Sends raw bytes on a new connection and resolves with everything the server sent before closing. */
export function rawExchange(endpoint: string, bytes: string | Buffer, opts: { readonly end?: boolean } = {}): Promise<string> {
  const url = new URL(endpoint);
  return new Promise((ok, fail) => {
    const socket: Socket = connect(Number(url.port), url.hostname, () => (opts.end === true ? socket.end(bytes) : socket.write(bytes)));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', fail);
    socket.on('close', () => ok(text));
  });
}

/** Status, headers and JSON body of a raw HTTP/1.1 response. */
export function parseRawResponse(text: string): { status: number; headers: Map<string, string>; json: Record<string, unknown> } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
  return { status: Number(statusLine.split(' ')[1]), headers, json: body === '' ? {} : (JSON.parse(body) as Record<string, unknown>) };
}
