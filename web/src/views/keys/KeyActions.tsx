import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { OutcomeBanner } from './OutcomeBanner';
import { useChange } from './use-change';

type Action = 'enable' | 'disable' | 'schedule' | 'cancel';

const DAY_MS = 86_400_000;

/** The day a deletion scheduled now with a waiting period of `days` would destroy the key material. */
function deletionDay(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toUTCString();
}

/**
 * Enable, disable, schedule deletion (7–30 days) and cancel deletion, each confirmed with what it does.
 * The key views mount a ConfirmDialog only while it is open: it labels itself with a fixed id
 * (`confirm-title`), which several closed dialogs on one page would duplicate.
 */
export function KeyActions({ keyId, region, state, deletionDate, onChanged }: { keyId: string; region: string | undefined; state: string; deletionDate?: string | undefined; onChanged(): void }) {
  const { busy, outcome, run } = useChange(region);
  const [open, setOpen] = useState<Action | undefined>(undefined);
  const [days, setDays] = useState(30);
  const daysValid = Number.isInteger(days) && days >= 7 && days <= 30;

  const confirm = async () => {
    const action = open;
    setOpen(undefined);
    if (action === 'enable') await run('TrentService.EnableKey', { KeyId: keyId }, 'The key is enabled.', onChanged);
    if (action === 'disable') await run('TrentService.DisableKey', { KeyId: keyId }, 'The key is disabled.', onChanged);
    if (action === 'schedule') await run('TrentService.ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: days }, `Deletion scheduled: the key material is destroyed in ${days} days unless cancelled.`, onChanged);
    if (action === 'cancel') await run('TrentService.CancelKeyDeletion', { KeyId: keyId }, 'Deletion cancelled: the key is disabled; enable it to use it again.', onChanged);
  };

  const text: Record<Action, { title: string; label: string; body: string }> = {
    enable: { title: 'Enable this key?', label: 'Enable key', body: 'Cryptographic operations with this key (Encrypt, Decrypt, Sign…) will succeed again from now on, for every caller its policy and grants allow.' },
    disable: {
      title: 'Disable this key?',
      label: 'Disable key',
      body: 'Encrypt, Decrypt and every other cryptographic operation with this key will fail from now on (DisabledException), until the key is enabled again. Nothing is deleted.',
    },
    schedule: {
      title: 'Schedule deletion of this key?',
      label: 'Schedule deletion',
      body: `The key becomes PendingDeletion now: Decrypt with this key will fail from now on; the key material is destroyed on ${deletionDay(days)} unless cancelled. After that, data encrypted under this key can never be decrypted.`,
    },
    cancel: {
      title: 'Cancel the deletion of this key?',
      label: 'Cancel deletion',
      body: `The deletion scheduled for ${deletionDate === undefined ? 'later' : new Date(deletionDate).toUTCString()} is cancelled and the key material is kept. The key becomes Disabled: enable it to use it again.`,
    },
  };
  const current = open === undefined ? undefined : text[open];

  return (
    <section aria-labelledby="lifecycle-h">
      <h2 id="lifecycle-h">Lifecycle</h2>
      <OutcomeBanner outcome={outcome} />
      <div className="actions">
        {state === 'Disabled' && <button type="button" disabled={busy} onClick={() => setOpen('enable')}>Enable key</button>}
        {state === 'Enabled' && <button type="button" disabled={busy} onClick={() => setOpen('disable')}>Disable key</button>}
        {state === 'PendingDeletion' && <button type="button" disabled={busy} onClick={() => setOpen('cancel')}>Cancel deletion</button>}
      </div>
      {state !== 'PendingDeletion' && (
        <div className="keys-inline-form">
          <label>
            Waiting period (days, 7–30)
            <input type="number" min={7} max={30} value={days} onChange={(e) => setDays(Number(e.target.value))} aria-invalid={!daysValid} />
          </label>
          <button type="button" className="danger" disabled={busy || !daysValid} onClick={() => setOpen('schedule')}>Schedule deletion…</button>
        </div>
      )}
      {current !== undefined && (
<ConfirmDialog open={current !== undefined} title={current?.title ?? ''} confirmLabel={current?.label ?? ''} danger={open !== 'enable' && open !== 'cancel'} busy={busy} onConfirm={() => void confirm()} onCancel={() => setOpen(undefined)}>
        <p>{current?.body}</p>
      </ConfirmDialog>
      )}
    </section>
  );
}
