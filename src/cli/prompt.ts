import { createInterface } from 'node:readline';

/**
 * Reads `count` secret lines: from a terminal, one prompt per line with echo off; otherwise the first
 * `count` non-empty lines of stdin (so shares can be piped from a file or a password manager).
 */
export async function readSecretLines(prompt: string, count: number): Promise<string[]> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const lines: string[] = [];
    const rl = createInterface({ input: stdin, terminal: false });
    for await (const line of rl) {
      if (line.trim() !== '') lines.push(line.trim());
      if (lines.length >= count) break;
    }
    rl.close();
    return lines;
  }
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(await readHidden(prompt));
  return out;
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          process.stderr.write('\n');
          resolve(value.trim());
          return;
        }
        if (ch === '\u0003') {
          done();
          process.stderr.write('\n');
          reject(new Error('interrupted'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}
