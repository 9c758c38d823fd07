/**
 * Runs Python with PyKMIP (Debian's python3-pykmip) for the cross-check tests. Test support only: imported
 * by *.test.ts files. The system interpreter is used by path, because a python3 earlier on PATH (pyenv)
 * does not see Debian's dist-packages.
 */
import { execFile, spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';

/** Why the PyKMIP tests skip, or false when PyKMIP is importable. */
export const PYKMIP_MISSING: string | false = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import kmip'], { encoding: 'utf8' });
  if (r.error === undefined && r.status === 0) return false;
  const why = `PyKMIP is not installed (apt-get install python3-pykmip): ${PYTHON} -c 'import kmip' failed`;
  // CI installs it (.ci/run): there, a missing PyKMIP fails the tests instead of skipping them.
  if (process.env['CI'] === 'true') throw new Error(why);
  console.log(`skipping the PyKMIP cross-checks: ${why}`);
  return why;
})();

/** Runs `script` with `args` (sys.argv[1:]) and returns its standard output; throws with stderr on failure. */
export function python(script: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs the Python file `path` with `args` without blocking the event loop (the server under test is in this process); resolves to its standard output. */
export function pythonFile(path: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [path, ...args], { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`python ${path} failed: ${error.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}
