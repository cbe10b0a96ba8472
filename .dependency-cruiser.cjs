/**
 * Module boundaries, checked by `npm run lint` (dependency-cruiser: see docs/module-guide.md).
 * A module is a folder src/modules/<name>/; its index.ts is its public face.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-deep-import',
      comment: 'Outside a module, only its public face (src/modules/<name>/index.ts) may be imported.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/modules/[^/]+/' },
      to: { path: '^src/modules/[^/]+/.+', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-deep-import-between-modules',
      comment: 'Within src/modules, a module imports its own files and the public faces of the others.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/.+', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-other-modules-repository',
      comment: 'A repository holds its module\'s SQL; another module asks the module, never its repository.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/.*repository\\.ts$', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'no-module-cycles',
      comment: 'The modules depend on each other as a DAG; a question that would close a cycle is a port, wired in src/modules/index.ts.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/modules/[^/]+$' },
      to: { path: '^src/modules/[^/]+$', circular: true },
    },
    {
      name: 'no-modules-below',
      comment: 'shared, db and plugins are below every module: they never import one.',
      severity: 'error',
      from: { path: '^src/(shared|db|plugins)/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'migrations-frozen',
      comment: 'Migrations are frozen in time: they never import application code.',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
