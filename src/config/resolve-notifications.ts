/**
 * The notification part of {@link ResolvedConfig}: how emails leave (file in local mode, SMTP
 * in server mode, SES in aws mode, unless `EMAIL_TRANSPORT` says otherwise), the From address,
 * and the status webhook's page size, time limit and attempts. Called by `resolveConfig`.
 */
import path from 'node:path';
import { AppError, ErrorCode } from '../domain/errors.ts';
import { Mode, type ServiceOptions } from './config-options.ts';

/** Email transports. */
export const EMAIL_TRANSPORTS = ['file', 'smtp', 'ses', 'off'] as const;

/** One email transport. */
export type EmailTransportKind = (typeof EMAIL_TRANSPORTS)[number];

/** Resolved notification settings. */
export interface NotificationSettings {
  readonly email:
    | { readonly transport: 'file'; readonly dir: string; readonly from: string }
    | { readonly transport: 'smtp'; readonly url: string; readonly from: string }
    | { readonly transport: 'ses'; readonly region: string; readonly from: string }
    | { readonly transport: 'off' };
  /** Device changes per status-webhook POST. */
  readonly webhookPageSize: number;
  /** Time limit of one webhook POST, in ms. */
  readonly webhookTimeoutMs: number;
  /** Attempts per email or webhook POST before it is marked FAILED. */
  readonly maxAttempts: number;
}

function configError(message: string): AppError {
  return new AppError(ErrorCode.CONFIG_INVALID, message);
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw configError(`${name} must be a whole number; got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw configError(`${name} must be between ${min} and ${max}; got ${n}`);
  return n;
}

/**
 * Resolves the notification settings (every given value is validated in every mode).
 *
 * @example
 * resolveNotifications((key) => undefined, 'local', '/srv/data', 'us-east-1').email; // { transport: 'file', dir: '/srv/data/mail', … }
 */
export function resolveNotifications(
  raw: (key: keyof ServiceOptions) => string | undefined,
  mode: Mode,
  dataDir: string,
  awsRegion: string,
): NotificationSettings {
  const defaultTransport: EmailTransportKind =
    mode === Mode.Local ? 'file' : mode === Mode.Server ? 'smtp' : 'ses';
  const transport = (raw('emailTransport') ?? defaultTransport).toLowerCase();
  if (!(EMAIL_TRANSPORTS as readonly string[]).includes(transport)) {
    throw configError(
      `EMAIL_TRANSPORT must be one of ${EMAIL_TRANSPORTS.join(', ')}; got "${transport}"`,
    );
  }
  const from = raw('emailFrom') ?? 'device-bulk-change <bulk-change@localhost>';
  if (!/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(from.trim())) {
    throw configError(`EMAIL_FROM must be an address or "Name <address>"; got "${from}"`);
  }
  const smtpUrl = raw('smtpUrl') ?? 'smtp://localhost:25';
  let parsed: URL;
  try {
    parsed = new URL(smtpUrl);
  } catch {
    // never echo the value: it may hold a password
    throw configError('SMTP_URL is not a valid URL (expected smtp://[user:password@]host:port)');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw configError(`SMTP_URL must start with smtp:// or smtps://; got ${parsed.protocol}//`);
  }
  const region = raw('sesRegion') ?? awsRegion;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region) || region.length > 32) {
    throw configError(`SES_REGION must be a region name such as eu-west-1; got "${region}"`);
  }
  const email: NotificationSettings['email'] =
    transport === 'file'
      ? { transport, dir: path.join(dataDir, 'mail'), from }
      : transport === 'smtp'
        ? { transport, url: smtpUrl, from }
        : transport === 'ses'
          ? { transport, region, from }
          : { transport: 'off' };
  return Object.freeze({
    email: Object.freeze(email),
    webhookPageSize: integer('WEBHOOK_PAGE_SIZE', raw('webhookPageSize') ?? '500', 1, 10_000),
    webhookTimeoutMs: integer(
      'WEBHOOK_TIMEOUT_MS',
      raw('webhookTimeoutMs') ?? '10000',
      100,
      120_000,
    ),
    maxAttempts: integer('NOTIFY_MAX_ATTEMPTS', raw('notifyMaxAttempts') ?? '10', 1, 100),
  });
}
