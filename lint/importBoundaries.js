// @ts-check
import { readdirSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/** The drivers only subgraphs may load: the gateway reaches data through subgraphs, never a database. */
const DATABASE_DRIVERS = ['pg', '@electric-sql/pglite'];

/**
 * The architecture's import rules as ESLint config objects for the tree at `root`:
 * the gateway never imports a subgraph or a database driver; a subgraph imports only
 * itself, `subgraphs/kit` and `lib`; the kit imports only itself and `lib`. Every folder
 * under `subgraphs/` but the kit is a subgraph, so one `npm run subgraph:new` adds is
 * held to its rule without an edit here.
 * @param {string} root
 * @returns {import('eslint').Linter.Config[]}
 */
export function importBoundaries(root) {
  const plugins = { boundaries: boundariesPlugin(root) };
  const subgraphs = readdirSync(resolve(root, 'subgraphs'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'kit')
    .map((entry) => entry.name);
  return [
    {
      files: ['gateway/**/*.ts'],
      plugins,
      rules: { 'boundaries/no-imports-from': ['error', { folders: ['subgraphs'], packages: DATABASE_DRIVERS }] },
    },
    ...subgraphs.map((name) => ({
      files: [`subgraphs/${name}/**/*.ts`],
      plugins,
      rules: { 'boundaries/imports-only-from': ['error', { folders: [`subgraphs/${name}`, 'subgraphs/kit', 'lib'] }] },
    })),
    {
      files: ['subgraphs/kit/**/*.ts'],
      plugins,
      rules: { 'boundaries/imports-only-from': ['error', { folders: ['subgraphs/kit', 'lib'] }] },
    },
  ];
}

/**
 * Two rules over every module specifier a file names (import, export … from, import(),
 * import('…').Type): a path is resolved against the file itself, as Node would, and
 * compared by folder, so no import slips past for want of a resolver.
 * @param {string} root
 * @returns {import('eslint').ESLint.Plugin}
 */
function boundariesPlugin(root) {
  const folderList = { type: 'array', items: { type: 'string' } };
  return {
    meta: { name: 'supergate-boundaries' },
    rules: {
      'imports-only-from': {
        meta: {
          type: 'problem',
          docs: { description: 'Relative imports stay inside the listed folders' },
          schema: [{ type: 'object', properties: { folders: folderList }, required: ['folders'], additionalProperties: false }],
          messages: { outside: '{{specifier}} reaches {{target}}; files here import only from {{folders}}.' },
        },
        create(context) {
          const { folders } = /** @type {{ folders: string[] }} */ (context.options[0]);
          return onEverySpecifier((node, specifier) => {
            const target = pathTarget(root, context.filename, specifier);
            if (target !== undefined && !folders.some((folder) => isInside(target, folder))) {
              context.report({ node, messageId: 'outside', data: { specifier, target, folders: folders.join(', ') } });
            }
          });
        },
      },
      'no-imports-from': {
        meta: {
          type: 'problem',
          docs: { description: 'No import reaches the listed folders or packages' },
          schema: [{ type: 'object', properties: { folders: folderList, packages: folderList }, additionalProperties: false }],
          messages: {
            folder: '{{specifier}} reaches {{target}}, which files here must not import.',
            package: '{{specifier}} is a package files here must not import.',
          },
        },
        create(context) {
          const { folders = [], packages = [] } = /** @type {{ folders?: string[], packages?: string[] }} */ (context.options[0]);
          return onEverySpecifier((node, specifier) => {
            const target = pathTarget(root, context.filename, specifier);
            if (target === undefined) {
              if (packages.some((name) => specifier === name || specifier.startsWith(`${name}/`)))
                context.report({ node, messageId: 'package', data: { specifier } });
            } else if (folders.some((folder) => isInside(target, folder))) {
              context.report({ node, messageId: 'folder', data: { specifier, target } });
            }
          });
        },
      },
    },
  };
}

/**
 * A rule visitor calling `check` with each module specifier written as a string literal.
 * @param {(node: import('estree').Node, specifier: string) => void} check
 * @returns {import('eslint').Rule.RuleListener}
 */
function onEverySpecifier(check) {
  /** @param {{ source?: import('estree').Node | null }} node */
  const visit = (node) => {
    const source = node.source;
    if (source?.type === 'Literal' && typeof source.value === 'string') check(source, source.value);
  };
  return {
    ImportDeclaration: visit,
    ExportNamedDeclaration: visit,
    ExportAllDeclaration: visit,
    ImportExpression: visit,
    // typescript-eslint's `import('…').Type`, outside ESTree's node types.
    ['TSImportType'](/** @type {{ source?: import('estree').Node | null }} */ node) {
      visit(node);
    },
  };
}

/**
 * Where a path specifier leads, relative to `root` with `/` separators; undefined for a package name.
 * @param {string} root
 * @param {string} file
 * @param {string} specifier
 */
function pathTarget(root, file, specifier) {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return undefined;
  return relative(root, resolve(dirname(file), specifier))
    .split(sep)
    .join('/');
}

/**
 * @param {string} target
 * @param {string} folder
 */
function isInside(target, folder) {
  return target === folder || target.startsWith(`${folder}/`);
}
