import { SecretBytes } from '../crypto/secret-bytes.js';
import { XksTransport } from '../api/xks/transport.js';
import { XksAuthenticator } from '../auth/xks-authenticator.js';
import type { Realm } from '../core/arn.js';
import type { Authenticator } from '../core/authentication.js';
import { KmsError } from '../core/errors.js';
import type { Clock, PrincipalStore } from '../core/ports.js';
import type { XksExposure } from '../core/xks.js';
import type { Pipeline } from '../service/pipeline/pipeline.js';
import { VERSION } from '../version.js';
import type { TransportRoute } from './http-server.js';
import type { XksProxyConfig } from './xks-proxy-config.js';

/** The exposure the XKS operations check (docs/xks-proxy.md), from `xksProxy:`; `undefined` when it is off. */
export function xksExposure(config: XksProxyConfig | undefined): XksExposure | undefined {
  if (config === undefined) return undefined;
  const keys = new Map(config.keys.map((k) => [k.xksKeyId, k]));
  const ids = new Set(config.credentials.map((c) => c.accessKeyId));
  return { key: (id) => keys.get(id), isXksCredential: (id) => id !== undefined && ids.has(id) };
}

interface XksWiring {
  readonly store: Pick<PrincipalStore, 'findPrincipalByName'>;
  readonly realm: Realm;
  readonly clock: Clock;
}

/** The XKS credentials with their secrets, read from the file or the `ARCA_*` variable the config names (checked at load). */
function credentialsOf(config: XksProxyConfig): { accessKeyId: string; secretAccessKey: SecretBytes }[] {
  return config.credentials.map((c) => ({ accessKeyId: c.accessKeyId, secretAccessKey: SecretBytes.copyOf(Buffer.from(c.secretAccessKey ?? process.env[c.secretAccessKeyEnv ?? ''] ?? '')) }));
}

/** `inner`, with the XKS authenticator in front when `xksProxy` is configured. */
export function withXksAuthenticator(config: XksProxyConfig | undefined, inner: Authenticator, wiring: XksWiring): Authenticator {
  if (config === undefined) return inner;
  return new XksAuthenticator({ inner, credentials: credentialsOf(config), principal: config.principal, region: config.region, ...wiring });
}

/** The XKS API's routes on the main listener (POST, and GET for its 405), or none when `xksProxy` is off. */
export function xksRoutes(config: XksProxyConfig | undefined, pipeline: Pipeline, wiring: XksWiring): TransportRoute[] {
  if (config === undefined) return [];
  const refuseOthers: Authenticator = { authenticate: () => Promise.reject(new KmsError('MissingAuthentication', 'Missing Authentication Token')) };
  const health = withXksAuthenticator(config, refuseOthers, wiring);
  const adapter = new XksTransport(pipeline, {
    uriPathPrefix: config.uriPathPrefix,
    keys: new Map(config.keys.map((k) => [k.xksKeyId, k])),
    authenticate: (auth) => health.authenticate(auth),
    ready: async () => (await pipeline.readiness('')).ready,
    vendor: `Arca ${VERSION}`,
  });
  return ['POST', 'GET'].map((method) => ({ method, path: (path: string) => XksTransport.serves(path), adapter }));
}
