import { describe, expect, it } from 'vitest';
import { EdgePipeline } from './EdgePipeline.js';
import type { SupergatePlugin } from './SupergatePlugin.js';

const plugin = (name: string, extra: Partial<SupergatePlugin> = {}): SupergatePlugin => ({ name, ...extra });

describe('a plugin list', () => {
  it('is refused when a plugin comes before one it must follow', () => {
    expect(() => new EdgePipeline([plugin('rateLimits', { after: ['authorization'] }), plugin('authorization')])).toThrow(
      'plugin rateLimits must come after authorization in the plugin list',
    );
  });

  it('may leave out a plugin another one follows', () => {
    expect(() => new EdgePipeline([plugin('rateLimits', { after: ['authorization'] })])).not.toThrow();
  });

  it('is refused when two plugins share a name or a route', () => {
    expect(() => new EdgePipeline([plugin('cache'), plugin('cache')])).toThrow('two plugins are named cache');
    const route = { 'POST /purge': () => undefined };
    expect(() => new EdgePipeline([plugin('a', { routes: route }), plugin('b', { routes: route })])).toThrow(
      'plugin b serves POST /purge, which another plugin serves already',
    );
  });
});
