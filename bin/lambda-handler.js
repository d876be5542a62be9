// AWS Lambda entry (handler setting `bin/lambda-handler.handler`, runtime nodejs24.x). Lambda
// looks for a .js/.mjs file; the code itself is TypeScript run by Node's type stripping, like
// the CLI. Importing it builds nothing: the handler opens its connections on first invocation.
export { handler } from '../src/lambda/handler.ts';
