import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleClientConfig, type ConsoleClientConfig, type ConsoleSettings } from './console-config.js';
export type { ConsoleSettings } from './console-config.js';
import type { EndpointResponse, HttpEndpoint } from './http-server.js';

/** Where `npm run build` puts the console (vite build of web/): dist/web, beside dist/src. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
export const CONSOLE_PREFIX = '/ui/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The console's headers: a CSP that allows only this origin's files (no inline script or style, no
 * eval, no frames, no third-party origin but the SSO issuer the browser must reach), no framing, no
 * sniffing, no referrer, and no caching of anything but the content-hashed assets.
 */
export function consoleHeaders(issuer: string | undefined): Record<string, string> {
  const idp = issuer === undefined ? '' : ` ${new URL(issuer).origin}`;
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${idp}`,
    `form-action 'self'${idp}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/**
 * `GET /ui/…`: the built console, read once into memory (a fixed set of files: nothing on disk is
 * looked up by a request's path), `/ui/config.json` from the `console:` settings, and `/ui` redirected.
 * Without a build (dist/web missing), `/ui/` answers 404 saying how to build it.
 */
export function consoleEndpoint(config: ConsoleClientConfig, dir: string = CONSOLE_DIR): HttpEndpoint {
  const headers = consoleHeaders(config.oidc?.issuer);
  const files = new Map<string, { type: string; body: Buffer; immutable: boolean }>();
  const walk = (sub: string): void => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub === '' ? e.name : `${sub}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else files.set(rel, { type: TYPES[extname(e.name)] ?? 'application/octet-stream', body: readFileSync(join(dir, rel)), immutable: rel.startsWith('assets/') });
    }
  };
  if (existsSync(join(dir, 'index.html'))) walk('');
  files.set('config.json', { type: TYPES['.json'] ?? '', body: Buffer.from(JSON.stringify(config)), immutable: false });
  const index = files.get('index.html');
  const answer = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): EndpointResponse => ({ status, headers: { ...headers, 'content-type': type, ...extra }, body });
  return {
    path: (p) => p === '/ui' || p.startsWith(CONSOLE_PREFIX),
    async answer(req): Promise<EndpointResponse> {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path === '/ui') return answer(308, 'text/plain; charset=utf-8', 'The console is at /ui/.\n', { location: CONSOLE_PREFIX });
      const rel = path.slice(CONSOLE_PREFIX.length);
      const file = rel === '' ? index : files.get(rel);
      if (file === undefined) {
        const why = index === undefined ? 'The console is not built: run npm run build.\n' : 'Not found.\n';
        return answer(404, 'text/plain; charset=utf-8', why, { 'cache-control': 'no-store' });
      }
      return answer(200, file.type, file.body, { 'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store' });
    },
  };
}

/** The console's endpoint under the `console:` settings, or none when `console.enabled` is false. */
export function consoleEndpoints(settings: ConsoleSettings | undefined, region: string): HttpEndpoint[] {
  return settings?.enabled === false ? [] : [consoleEndpoint(consoleClientConfig(settings, region))];
}
