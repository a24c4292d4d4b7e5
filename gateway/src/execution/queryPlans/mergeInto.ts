import type { ResponseObject } from './shapeResponse.js';

function isObject(value: unknown): value is ResponseObject {
  return value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Merges a subgraph's answer into the answer so far, in place, exactly as
 * @apollo/gateway's `deepMerge` does: objects merge key by key, lists of the
 * same length element by element, and anything else is replaced. Values the
 * target does not hold yet are taken as they are, never copied.
 */
export function mergeInto(target: ResponseObject, source: unknown): ResponseObject {
  if (source === undefined || source === null) return target;
  const from = source as ResponseObject;
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (value === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(target, key) && key in target) {
      // A key such as "constructor" that the target only inherits becomes its own before it is written.
      Object.defineProperty(target, key, { configurable: true, enumerable: true, value: undefined, writable: true });
    }
    const existing = target[key];
    if (existing && isObject(value)) {
      mergeInto(existing as ResponseObject, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let index = 0; index < value.length; index += 1) {
        const into: unknown = existing[index];
        const element: unknown = value[index];
        if (isObject(into) && isObject(element)) mergeInto(into, element);
        else existing[index] = element;
      }
    } else {
      target[key] = value;
    }
  }
  return target;
}
