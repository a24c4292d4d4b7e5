import { describe, expect, it } from 'vitest';
import { createLogger, readLogLevel } from './logger.js';

describe('logging', () => {
  it('reads LOG_LEVEL the same way for the gateway and every subgraph', () => {
    expect(readLogLevel(undefined)).toBe('info');
    expect(readLogLevel(' ')).toBe('info');
    expect(readLogLevel('Warn')).toBe('warn');
    expect(readLogLevel('silent')).toBe('silent');
    expect(() => readLogLevel('loud')).toThrow('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"');
  });

  it('writes one JSON object per line, with the service, the level as a word and an ISO time', () => {
    const lines: string[] = [];
    const logger = createLogger('products', 'info', { write: (line: string) => void lines.push(line) });
    logger.debug('not at info');
    logger.info({ requestId: 'r-1' }, 'graphql request');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: 'products',
      pid: process.pid,
      hostname: expect.any(String),
      requestId: 'r-1',
      msg: 'graphql request',
    });
  });

  it('writes nothing when silent', () => {
    const lines: string[] = [];
    createLogger('gateway', 'silent', { write: (line: string) => void lines.push(line) }).fatal('even this');
    expect(lines).toEqual([]);
  });
});
