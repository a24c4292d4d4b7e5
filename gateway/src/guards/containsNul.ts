/** What a client is told when a string it sent holds a NUL character. */
export const NUL_MESSAGE = 'Strings may not contain the NUL character (U+0000).';

/** Whether any string in `value`, keys included, holds U+0000. Iterative: variables may nest as deep as the body bound allows. */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (next.includes('\u0000')) return true;
    } else if (typeof next === 'object' && next !== null) {
      for (const [key, child] of Object.entries(next)) {
        if (key.includes('\u0000')) return true;
        pending.push(child);
      }
    }
  }
  return false;
}
