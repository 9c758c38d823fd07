import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/helpers/server.js';

/**
 * Checks out `ref` in a temporary git worktree, links this checkout's node_modules into it (the same
 * dependencies, native addons included) and compiles it, so that a benchmark can drive that commit's
 * Arca beside the current one in one run. `remove()` deletes the worktree.
 */
export function buildCommit(ref: string): { readonly bin: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'arca-bench-ref-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  git('worktree', 'add', '--detach', dir, ref);
  try {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    process.stderr.write(`bench: building ${ref} in ${dir}\n`);
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
  } catch (e) {
    git('worktree', 'remove', '--force', dir);
    throw e;
  }
  return {
    bin: join(dir, 'bin', 'arca'),
    remove() {
      git('worktree', 'remove', '--force', dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
