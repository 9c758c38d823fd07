import type { KeyLifecycleStore, KeyStore } from '../../core/ports.js';
import { keyRecord, keyVersion } from './fixture.js';

/** The instant the key-watch fixture is read at, and the "soon" bound (7 days later). */
export const WATCH_NOW = new Date(Date.UTC(2026, 0, 10));
export const WATCH_SOON = new Date(WATCH_NOW.getTime() + 7 * 86_400_000);
const day = (n: number) => new Date(WATCH_NOW.getTime() + n * 86_400_000);

/** Imported-material rows the fixture adds with SQL (key id, expiration model, valid to). */
export const WATCH_IMPORTS: readonly (readonly [string, string, Date | null])[] = [
  ['imp-soon', 'KEY_MATERIAL_EXPIRES', day(3)],
  ['imp-later', 'KEY_MATERIAL_EXPIRES', day(30)],
  ['imp-never', 'KEY_MATERIAL_DOES_NOT_EXPIRE', null],
  ['imp-pending', 'KEY_MATERIAL_EXPIRES', day(1)],
];

/**
 * Keys for the key-watch queries (sqliteKeyWatch, postgresKeyWatch): two Enabled keys past their
 * rotation time, one not yet due, one past it but Disabled (not counted), and imported material expiring
 * in 3 and 30 days, never, and on a PendingImport key (not counted). Expected: 2 overdue, 1 expiring
 * within 7 days, the soonest in 3 days. The caller adds {@link WATCH_IMPORTS} to `key_imports`.
 */
export async function addKeyWatchFixture(keys: KeyStore, lifecycle: KeyLifecycleStore): Promise<void> {
  await keys.addDomainKey(1, Buffer.from('domain-key-1'));
  const rotating: readonly [string, Date, 'Enabled' | 'Disabled'][] = [['rot-due-1', day(-1), 'Enabled'], ['rot-due-2', day(-40), 'Enabled'], ['rot-later', day(5), 'Enabled'], ['rot-disabled', day(-1), 'Disabled']];
  for (const [id, next, state] of rotating) {
    await keys.createKey(keyRecord({ id, state }), keyVersion(id, 1), []);
    await lifecycle.setRotation(id, { enabled: true, periodDays: 90, nextRotationAt: next });
  }
  for (const [id] of WATCH_IMPORTS) {
    const pending = id === 'imp-pending';
    await keys.createKey(keyRecord({ id, origin: 'EXTERNAL', state: pending ? 'PendingImport' : 'Enabled' }), pending ? undefined : keyVersion(id, 1), []);
  }
}
