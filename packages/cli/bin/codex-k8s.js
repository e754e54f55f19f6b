#!/usr/bin/env node
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

// V8's compile cache (Node >= 22.1) lets later starts skip compiling the bundle, most of a start's CPU time. It must
// be on before the bundle loads, hence the dynamic import below. NODE_COMPILE_CACHE picks the directory and
// NODE_DISABLE_COMPILE_CACHE turns it off (Node reads both); Node 20 has no compile cache and runs without.
if (typeof module.enableCompileCache === 'function') {
  try {
    const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    module.enableCompileCache(process.env.NODE_COMPILE_CACHE || path.join(cacheHome, 'codex-k8s', 'compile-cache'));
  } catch {
    // No home or an unwritable cache directory: start without the cache.
  }
}

const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
