#!/usr/bin/env node
// The CLI is written in TypeScript and run directly by Node's type stripping (Node >= 22.18).
await import('../src/cli/main.ts');
