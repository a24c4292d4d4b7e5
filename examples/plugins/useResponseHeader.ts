// In an application: `from 'supergate'`; inside this repository the public barrel is imported by path.
import type { SupergatePlugin } from '../../gateway/src/public.js';

export interface ResponseHeaderOptions {
  /** The header's name. @default 'x-served-by-team' */
  readonly name?: string;
  /** Its value on every GraphQL answer. */
  readonly value: string;
}

/** Adds one header to every GraphQL answer, refusals and cached answers included. */
export function useResponseHeader({ name = 'x-served-by-team', value }: ResponseHeaderOptions): SupergatePlugin {
  return {
    name: 'responseHeader',
    onResponse(response) {
      response.headers.set(name, value);
    },
  };
}
