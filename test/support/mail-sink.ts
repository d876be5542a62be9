/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps every message it
 * receives, parsed with `mailparser`, with a knob to refuse the next messages with an SMTP
 * reply code (4xx transient, 5xx permanent).
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A received message: the SMTP envelope, the raw source and the parsed message. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

/** The sink. */
export interface MailSink {
  readonly url: string;
  readonly messages: ReceivedMail[];
  /** The next `times` messages are refused with `code`. */
  refuseNext(times: number, code: number): void;
  close(): Promise<void>;
}

/** Starts the SMTP server on 127.0.0.1 and an ephemeral port. */
export async function startMailSink(): Promise<MailSink> {
  const messages: ReceivedMail[] = [];
  let refusals: { times: number; code: number } = { times: 0, code: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusals.times > 0) {
          refusals.times -= 1;
          const error = Object.assign(new Error('refused by the test sink'), {
            responseCode: refusals.code,
          });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuseNext(times, code) {
      refusals = { times, code };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
