#!/usr/bin/env node
// The CLI is TypeScript run directly by Node's type stripping (Node >= 22.18). npm scripts
// (`npm start`, `npm run cli -- <command>`) use the Node 24 pinned in devDependencies.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `bulk-change needs Node.js 22.18 or newer (this is ${process.version}). ` +
      "Run it through npm, which uses the project's Node 24: npm run cli -- <command>\n",
  );
  process.exit(1);
}
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv);
