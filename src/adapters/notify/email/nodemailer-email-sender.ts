/**
 * {@link EmailSender} over nodemailer, with one of three transports:
 *
 * - `smtp`: an SMTP server (`SMTP_URL`, e.g. `smtp://user:pass@mail.example:587`, or `smtps://`);
 * - `file`: nothing leaves the machine — each message is written as an `.eml` file under a
 *   directory (local mode's default: `<DATA_DIR>/mail`), first to a temporary name and then
 *   renamed, so a reader never sees half a message;
 * - `ses`: Amazon SES (API v2) with credentials from the AWS SDK's default provider chain.
 *
 * Attachments are streams, so a 100,000-device CSV is never held as one string (the SES
 * transport builds the raw message in memory; SES accepts up to 40 MB).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import type { EmailSender } from '../../../app/ports/notification-channels.ts';
import { classifyEmailError } from './email-errors.ts';

/** Where emails go. */
export type EmailTransportConfig =
  | { readonly kind: 'smtp'; readonly url: string }
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'ses'; readonly region: string; readonly endpoint?: string | undefined };

/** Options of {@link createNodemailerEmailSender}. */
export interface NodemailerEmailSenderOptions {
  transport: EmailTransportConfig;
  /** The From address (`Name <address>` or `address`). */
  from: string;
}

/**
 * Creates the sender.
 *
 * @example
 * const email = createNodemailerEmailSender({ transport: { kind: 'file', dir: './data/mail' }, from: 'bulk-change@localhost' });
 */
export function createNodemailerEmailSender(options: NodemailerEmailSenderOptions): EmailSender {
  const { transport } = options;
  const mailer =
    transport.kind === 'smtp'
      ? nodemailer.createTransport(transport.url)
      : transport.kind === 'ses'
        ? nodemailer.createTransport({
            SES: {
              sesClient: new SESv2Client({
                region: transport.region,
                ...(transport.endpoint === undefined ? {} : { endpoint: transport.endpoint }),
              }),
              SendEmailCommand,
            },
          })
        : nodemailer.createTransport({ streamTransport: true, buffer: false });

  return {
    async send(message) {
      const mail = {
        from: options.from,
        to: [...message.to],
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        attachments: message.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: Readable.from(a.content),
        })),
      };
      try {
        const info = await mailer.sendMail(mail);
        if (transport.kind === 'file') {
          await writeEml(transport.dir, message.messageId, (info as { message: Readable }).message);
          return { messageId: message.messageId, statusCode: null };
        }
        const response = String((info as { response?: unknown }).response ?? '');
        const code = /^(\d{3})\b/.exec(response)?.[1];
        return {
          messageId: message.messageId,
          statusCode: code === undefined ? null : Number(code),
        };
      } catch (error) {
        throw classifyEmailError(error);
      }
    },
  };
}

/** Writes the message as `<dir>/<time>-<message id>.eml` (temporary name, then rename). */
async function writeEml(dir: string, messageId: string, stream: Readable): Promise<void> {
  await mkdir(dir, { recursive: true });
  const safeId = messageId.replace(/[^A-Za-z0-9._@-]+/g, '');
  const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`;
  const temp = join(dir, `.${name}.tmp`);
  try {
    await pipeline(stream, createWriteStream(temp, { mode: 0o600 }));
    await rename(temp, join(dir, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
