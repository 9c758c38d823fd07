import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { backupProgressBar, wantsProgressBar } from './progress-bar.js';

/** A stream that says it is a terminal, collecting what is written. */
function fakeTerminal(tty: boolean): NodeJS.WriteStream & { text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return Object.assign(stream, { isTTY: tty, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, text: () => text }) as unknown as NodeJS.WriteStream & { text(): string };
}

describe('the backup progress bar', () => {
  it('shows only on a terminal, and never with --output json', () => {
    assert.equal(wantsProgressBar(false, fakeTerminal(true)), true);
    assert.equal(wantsProgressBar(true, fakeTerminal(true)), false);
    assert.equal(wantsProgressBar(false, fakeTerminal(false)), false);
  });

  it('draws one bar per phase, with the phase and its unit', () => {
    const terminal = fakeTerminal(true);
    const bar = backupProgressBar(true, terminal);
    bar.report?.('signature', 5_000_000, 10_000_000);
    bar.report?.('restore', 10, 20);
    bar.report?.('restore', 20, 20);
    bar.stop();
    assert.match(terminal.text(), /checking the signature .*MB/);
    assert.match(terminal.text(), /restoring rows .*20\/20 rows/);
  });

  it('disabled, it reports nothing', () => {
    assert.equal(backupProgressBar(false, fakeTerminal(true)).report, undefined);
  });
});
