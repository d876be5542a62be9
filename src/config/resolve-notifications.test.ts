import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve-config.ts';

const base = { DATABASE_URL: 'postgres://u@h/db' };

describe('notification settings', () => {
  it('default per mode: file in local, SMTP in server, SES in aws', () => {
    const local = resolveConfig({ env: {}, cwd: '/srv' }).notifications;
    expect(local.email).toEqual({
      transport: 'file',
      dir: '/srv/data/mail',
      from: 'device-bulk-change <bulk-change@localhost>',
    });
    expect(local).toMatchObject({
      webhookPageSize: 500,
      webhookTimeoutMs: 10_000,
      maxAttempts: 10,
    });
    const server = resolveConfig({ env: { ...base, MODE: 'server' } }).notifications;
    expect(server.email).toMatchObject({ transport: 'smtp', url: 'smtp://localhost:25' });
    const aws = resolveConfig({
      env: {
        ...base,
        MODE: 'aws',
        SQS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
        AWS_REGION: 'eu-west-1',
      },
    }).notifications;
    expect(aws.email).toMatchObject({ transport: 'ses', region: 'eu-west-1' });
  });

  it('takes flags and variables', () => {
    const n = resolveConfig({
      flags: { emailTransport: 'smtp', webhookPageSize: 50 },
      env: {
        SMTP_URL: 'smtps://user:pw@mail.example:465',
        EMAIL_FROM: 'Ops <ops@example.com>',
        NOTIFY_MAX_ATTEMPTS: '3',
        WEBHOOK_TIMEOUT_MS: '2500',
      },
    }).notifications;
    expect(n).toEqual({
      email: {
        transport: 'smtp',
        url: 'smtps://user:pw@mail.example:465',
        from: 'Ops <ops@example.com>',
      },
      webhookPageSize: 50,
      webhookTimeoutMs: 2500,
      maxAttempts: 3,
    });
    expect(resolveConfig({ env: { EMAIL_TRANSPORT: 'off' } }).notifications.email).toEqual({
      transport: 'off',
    });
  });

  it('refuses bad values naming the variable, never echoing an SMTP password', () => {
    expect(() => resolveConfig({ env: { EMAIL_TRANSPORT: 'pigeon' } })).toThrow(
      'EMAIL_TRANSPORT must be one of file, smtp, ses, off; got "pigeon"',
    );
    expect(() => resolveConfig({ env: { SMTP_URL: 'http://mail:25' } })).toThrow(
      'SMTP_URL must start with smtp:// or smtps://; got http://',
    );
    let message = '';
    try {
      resolveConfig({ env: { SMTP_URL: 'smtp://user:hunter2@:bad port' } });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('SMTP_URL is not a valid URL');
    expect(message).not.toContain('hunter2');
    expect(() => resolveConfig({ env: { EMAIL_FROM: 'not an address' } })).toThrow(/EMAIL_FROM/);
    expect(() => resolveConfig({ env: { WEBHOOK_PAGE_SIZE: '0' } })).toThrow(
      'WEBHOOK_PAGE_SIZE must be between 1 and 10000; got 0',
    );
    expect(() => resolveConfig({ env: { SES_REGION: 'Mars 1' } })).toThrow(/SES_REGION/);
  });
});
