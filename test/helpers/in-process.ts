import type { AddressInfo } from 'node:net';
import { createDevApp, type App, type DevAppConfig } from '../../src/server/app.js';
import type { Logger } from '../../src/core/ports.js';
import type { SqliteDatabase } from '../../src/store/sqlite/database.js';
import { removeDir, tempDataDir, type DevServer } from './server.js';

export interface InProcessServer extends Pick<DevServer, 'endpoint' | 'credentials' | 'dataDir'> {
  readonly app: App;
  readonly logs: string[];
  close(): Promise<void>;
}

/**
 * The dev composition in this process, listening on a free loopback port; logs are captured. `options`
 * override parts of the config (a test clock, lifecycle settings, an existing data directory).
 */
export async function startInProcess(options: Partial<Omit<DevAppConfig, 'realm' | 'logger'>> = {}): Promise<InProcessServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const logs: string[] = [];
  const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ level, message, ...fields }));
  const logger: Logger = { debug: () => undefined, info: capture('info'), warn: capture('warn'), error: capture('error') };
  const realm = { partition: 'aws' as const, region: 'us-east-1', account: '111122223333' };
  const app = await createDevApp({ ...options, dataDir, realm, logger });
  await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    logs,
    dataDir,
    endpoint,
    credentials: {
      accessKeyId: app.admin.accessKeyId,
      secretAccessKey: app.admin.secretAccessKey.expose().toString('utf8'),
      region: realm.region,
      endpoint,
    },
    async close() {
      await app.close();
      if (options.dataDir === undefined) removeDir(dataDir); // a given directory belongs to the caller
    },
  };
}

/** The SQLite database under an app, for tests that inspect or damage it directly (fails on another engine). */
export function sqliteOf(app: Pick<App, 'store'>): SqliteDatabase {
  if (app.store.engine !== 'sqlite') throw new Error(`this test needs the SQLite store, not ${app.store.engine}`);
  return app.store.db;
}
