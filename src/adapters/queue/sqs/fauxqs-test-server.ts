/**
 * Test helper: the fauxqs SQS emulator in-process, listening on 127.0.0.1 only (an ephemeral
 * port), and real AWS SDK clients pointed at it with static fake credentials.
 *
 * fauxqs's own `startFauxqs()` listens on every interface; this helper builds the same app and
 * binds it to the loopback address instead, then creates queues through the SDK (the real SQS
 * protocol, as production code would see it).
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

/** Region and credentials every test client uses; nothing real. */
export const TEST_REGION = 'us-east-1';
/** Static fake credentials the emulator accepts (it does not check signatures). */
export const TEST_CREDENTIALS = {
  accessKeyId: 'test-access-key',
  secretAccessKey: 'test-secret-key',
};

/** A queue created on the emulator. */
export interface TestQueue {
  queueUrl: string;
  queueArn: string;
}

/** A running emulator. */
export interface FauxqsTestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** A client for the emulator (shared; closed by `stop()`). */
  readonly client: SQSClient;
  /** A new client for the emulator, e.g. with `maxAttempts: 1`; the caller destroys it. */
  createClient(overrides?: Partial<SQSClientConfig>): SQSClient;
  /** Creates a standard queue with a unique name (prefix + counter). */
  createQueue(prefix: string, attributes?: Record<string, string>): Promise<TestQueue>;
  /** Creates a queue whose `RedrivePolicy` moves messages to a new DLQ after `maxReceiveCount`. */
  createQueueWithDlq(
    prefix: string,
    options: { maxReceiveCount: number; visibilityTimeoutSeconds: number },
  ): Promise<TestQueue & { dlq: TestQueue }>;
  /** ReceiveMessage with every attribute, as the Lambda poller and the worker ask for them. */
  receive(
    queueUrl: string,
    options?: { max?: number; waitSeconds?: number; visibilityTimeoutSeconds?: number },
  ): Promise<Message[]>;
  /** Approximate counts of a queue: visible, in flight, delayed. */
  counts(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  stop(): Promise<void>;
}

let sequence = 0;

/**
 * Starts fauxqs on 127.0.0.1 and an ephemeral port.
 *
 * @example
 * const sqs = await startFauxqsTestServer();
 * const { queueUrl } = await sqs.createQueue('bulk', { VisibilityTimeout: '1' });
 * await sqs.stop();
 */
export async function startFauxqsTestServer(): Promise<FauxqsTestServer> {
  const app = buildApp({ logger: false, defaultRegion: TEST_REGION });
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  const createClient = (overrides: Partial<SQSClientConfig> = {}) =>
    new SQSClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, ...overrides });
  const client = createClient();

  const createQueue = async (prefix: string, attributes: Record<string, string> = {}) => {
    sequence += 1;
    const name = `${prefix}-${process.pid}-${sequence}`;
    const created = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const queueUrl = created.QueueUrl ?? '';
    const attrs = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { queueUrl, queueArn: attrs.Attributes?.QueueArn ?? '' };
  };

  return {
    endpoint,
    client,
    createClient,
    createQueue,
    async createQueueWithDlq(prefix, options) {
      const dlq = await createQueue(`${prefix}-dlq`);
      const main = await createQueue(prefix, {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.queueArn,
          maxReceiveCount: options.maxReceiveCount,
        }),
      });
      return { ...main, dlq };
    },
    async receive(queueUrl, options = {}) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: options.max ?? 10,
          WaitTimeSeconds: options.waitSeconds ?? 0,
          ...(options.visibilityTimeoutSeconds === undefined
            ? {}
            : { VisibilityTimeout: options.visibilityTimeoutSeconds }),
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return out.Messages ?? [];
    },
    async counts(queueUrl) {
      const out = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const a = out.Attributes ?? {};
      return {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}
