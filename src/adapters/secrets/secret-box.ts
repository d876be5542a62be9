/**
 * AES-256-GCM implementation of the {@link SecretBox} port.
 *
 * Encrypted references look like `v1:<iv b64url>:<tag b64url>:<ciphertext b64url>`; the
 * 12-byte IV is random per value. `env` references are resolved from the environment given
 * at creation (the service never stores those values).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../../domain/errors.ts';
import type { SecretBox, SecretRef } from '../../domain/secret-ref.ts';

/** A secret reference cannot be resolved or decrypted. The message never contains the secret. */
export class SecretUnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.SECRET_UNAVAILABLE, message, options);
  }
}

/** Options of {@link createSecretBox}. */
export interface SecretBoxOptions {
  /** 32-byte key; without it `seal` and opening encrypted references fail with a clear error. */
  key: Buffer | undefined;
  /** Environment used to resolve `env` references. */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Creates a secret box.
 *
 * @example
 * const box = createSecretBox({ key: randomBytes(32), env: {} });
 * const ref = box.seal('s3cret'); // { kind: 'encrypted', value: 'v1:…' }
 * box.open(ref); // 's3cret'
 */
export function createSecretBox(options: SecretBoxOptions): SecretBox {
  const { key, env } = options;
  if (key !== undefined && key.length !== 32) {
    throw new SecretUnavailableError(`secrets key must be 32 bytes, got ${key.length}`);
  }
  const requireKey = (): Buffer => {
    if (key === undefined) {
      throw new SecretUnavailableError(
        'no secrets key configured: set SECRETS_KEY (base64 of 32 bytes) to store or read encrypted credentials',
      );
    }
    return key;
  };

  return {
    seal(plain: string): SecretRef {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', requireKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      const parts = [iv, tag, body].map((b) => b.toString('base64url'));
      return { kind: 'encrypted', value: `v1:${parts.join(':')}` };
    },
    open(ref: SecretRef): string {
      if (ref.kind === 'env') {
        const value = env[ref.name];
        if (value === undefined || value === '') {
          throw new SecretUnavailableError(
            `environment variable ${ref.name} holding a credential is not set`,
          );
        }
        return value;
      }
      const [version, iv, tag, body] = ref.value.split(':');
      if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
        throw new SecretUnavailableError(
          'encrypted credential is malformed (expected v1:iv:tag:data)',
        );
      }
      try {
        const decipher = createDecipheriv(
          'aes-256-gcm',
          requireKey(),
          Buffer.from(iv, 'base64url'),
        );
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch (error) {
        if (error instanceof SecretUnavailableError) throw error;
        throw new SecretUnavailableError(
          'encrypted credential cannot be decrypted with the configured SECRETS_KEY',
          {
            cause: error,
          },
        );
      }
    },
  };
}
