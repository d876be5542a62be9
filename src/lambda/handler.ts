/**
 * The AWS Lambda entry point for the SQS event source: `handler(event, context)` returns
 * `{ batchItemFailures }` (the event source mapping must enable `ReportBatchItemFailures`).
 *
 * Everything is built lazily on the first invocation of a container and reused while it stays
 * warm; see `create-lambda-handler.ts` for what a cold start does and README "Deploying on AWS"
 * for the function's settings. Lambda loads `bin/lambda-handler.js`, which re-exports this.
 */
import { processEnv } from '../config/env.ts';
import { createLambdaHandler } from './create-lambda-handler.ts';

/**
 * The handler Lambda invokes.
 *
 * @example
 * // Lambda handler setting: bin/lambda-handler.handler
 * const { batchItemFailures } = await handler(sqsEvent, context);
 */
export const handler = createLambdaHandler({ env: processEnv() });
