import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { copyRuntimeAssets } from './runtimeAssets.js';
import { BUILD_DIR, PROJECT_ROOT } from './serviceCommands.js';

// npm run build: dist/ from scratch, so a deleted module never lingers in an image;
// the compiled code (tsconfig.build.json), then the files it reads beside itself.
// It emits without type-checking (--noCheck): `npm run check` is the one type check,
// and npm test and the image's build stage run it first, so nothing pays for it twice.

const outDir = join(PROJECT_ROOT, BUILD_DIR);
rmSync(outDir, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error(`Build failed: tsc exited with ${compiled.signal ?? `code ${String(compiled.status)}`}.`);
  process.exit(1);
}

const assets = copyRuntimeAssets(PROJECT_ROOT, outDir);
console.log(`Built ${BUILD_DIR}/: compiled sources and ${assets.length} runtime files (SDL, migrations, registry, supergraph).`);
