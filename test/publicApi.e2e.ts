import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/system.js';
import { outdatedInBuild } from './support/buildOutputs.js';

const packageJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };

describe('the public API, as an application installs it', () => {
  // An application with supergate in its node_modules, and nothing else of the repository.
  const app = mkdtempSync(join(tmpdir(), 'supergate-app-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(PROJECT_ROOT, join(app, 'node_modules', 'supergate'));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it("imports createSupergate and every plugin by the package's name, from the build, with its declarations", async () => {
    expect(outdatedInBuild()).toEqual([]);
    const exported = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', "console.log(Object.keys(await import('supergate')).sort().join(' '))"],
        { cwd: app },
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- execFile's error is an Error; its Omit<ExecException> type hides that from the rule
        (error, stdout) => (error === null ? resolve(stdout.trim()) : reject(error)),
      );
    });
    expect(exported.split(' ')).toEqual([
      'DEFAULT_QUERY_LIMITS',
      'DEFAULT_RATE_LIMITS',
      'SupergateError',
      'createSupergate',
      'defaultPlugins',
      'readGatewayConfig',
      'useAuthorization',
      'useJwtAuth',
      'useOperationDeduplication',
      'useQueryLimits',
      'useRateLimits',
      'useResponseCache',
    ]);
    const root = packageJson.exports['.'];
    expect(root).toEqual({ types: './dist/gateway/src/public.d.ts', default: './dist/gateway/src/public.js' });
    expect(existsSync(join(PROJECT_ROOT, root?.types ?? ''))).toBe(true);
  });

  it('reaches nothing but the public barrel', async () => {
    const failure = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', "await import('supergate/dist/gateway/src/supergate.js')"],
        { cwd: app },
        (_error, _stdout, stderr) => resolve(stderr),
      );
    });
    expect(failure).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
