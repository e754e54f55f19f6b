#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json) so that a start does not load Node's ES module loader for a three-line file.
require('../dist/cli.cjs')
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
