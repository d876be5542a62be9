#!/usr/bin/env node
// The CLI is TypeScript run directly by Node's type stripping (Node >= 22.18; npm scripts use
// the Node 24 pinned in devDependencies).
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv);
