/**
 * Whether `value` nests objects and arrays deeper than `maxDepth` (a scalar is
 * depth 0, `[]` depth 1). Iterative and linear in the number of values, so a
 * body nested a hundred thousand deep is measured without touching the stack
 * that `JSON.stringify` and variable coercion would later overflow on.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    const children: unknown[] = Array.isArray(next.value) ? next.value : Object.values(next.value);
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push({ value: child, depth });
  }
  return false;
}
