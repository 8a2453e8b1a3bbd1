/**
 * Folder cycles in src/: a folder owns one concern, so its imports must point one way. A cycle
 * between two folders (events ↔ github, say) means something sits in the wrong folder.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'src/<folder> imports form a cycle: move what causes it to the folder it belongs to.',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
