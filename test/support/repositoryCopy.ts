import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/system.js';

const NOT_COPIED = new Set(['node_modules', '.git', '.data', 'test-results', 'coverage', 'dist']);

/** A scratch copy of the repository (sharing node_modules), for tests that change files the real tree must keep. */
export function copyRepository(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  cpSync(PROJECT_ROOT, root, { recursive: true, filter: (source) => !NOT_COPIED.has(relative(PROJECT_ROOT, source).split(sep)[0] ?? '') });
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}
