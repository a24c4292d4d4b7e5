import type { Linter } from 'eslint';

/** The architecture's import rules as ESLint config objects for the tree at `root`. */
export declare function importBoundaries(root: string): Linter.Config[];
