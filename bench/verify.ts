import { isDeepStrictEqual } from 'node:util';

/** One answer exactly as the target sent it. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Sends the request once, as the load will. */
export async function ask(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  return { status: response.status, body: await response.text() };
}

/**
 * What is wrong with an answer: not 200, GraphQL errors, or data other than the
 * reference's (the baseline's; none while checking the baseline itself). Undefined when right.
 */
export function findProblem(answer: Answer, reference: Answer | undefined, compare: 'data' | 'whole body' = 'data'): string | undefined {
  const parsed = parseBody(answer.body);
  if (answer.status !== 200) return `HTTP ${answer.status}: ${clip(answer.body)}`;
  if (parsed === undefined) return `the body is not a JSON object: ${clip(answer.body)}`;
  if (parsed['errors'] !== undefined) return `GraphQL errors: ${clip(JSON.stringify(parsed['errors']))}`;
  if (parsed['data'] === undefined || parsed['data'] === null) return `no data: ${clip(answer.body)}`;
  if (reference === undefined) return undefined;
  if (compare === 'whole body') {
    const [got, expected] = [canonicalJson(parsed), canonicalJson(parseBody(reference.body))];
    if (got === expected) return undefined;
    let at = 0;
    while (got[at] === expected[at]) at += 1;
    const around = (text: string): string => JSON.stringify(text.slice(Math.max(0, at - 80), at + 120));
    return `the body differs from the baseline's (keys sorted) at character ${at}:\n    got      ${around(got)}\n    expected ${around(expected)}`;
  }
  const expected = parseBody(reference.body)?.['data'];
  if (!isDeepStrictEqual(parsed['data'], expected))
    return `data differs from the baseline's:\n    got      ${clip(JSON.stringify(parsed['data']))}\n    expected ${clip(JSON.stringify(expected))}`;
  return undefined;
}

/** JSON with every object's keys sorted, so two answers compare byte for byte whatever order each gateway wrote its keys in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function parseBody(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function clip(text: string, length = 300): string {
  return text.length > length ? `${text.slice(0, length)}...` : text;
}
