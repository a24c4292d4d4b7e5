import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** How long a burst of file events must be quiet before the file is read. */
const SETTLE_MS = 150;

/**
 * Calls `onChange` with the file's new contents whenever they change. Watches
 * the directory, since editors and `npm run compose` replace files rather than
 * write them in place; events are debounced and unchanged contents ignored.
 */
export function watchSupergraphFile(path: string, initialSdl: string, onChange: (sdl: string) => void, onError: (error: unknown) => void): { close(): void } {
  let lastHash = hash(initialSdl);
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    readFile(path, 'utf8').then(
      (sdl) => {
        const next = hash(sdl);
        if (next === lastHash) return;
        lastHash = next;
        onChange(sdl);
      },
      // A file briefly missing mid-replace is retried by the event that follows.
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error);
      },
    );
  };
  const watcher: FSWatcher = watch(dirname(path), (_event, file) => {
    if (file !== null && file !== basename(path)) return;
    clearTimeout(timer);
    timer = setTimeout(check, SETTLE_MS);
  });
  watcher.on('error', onError);
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
