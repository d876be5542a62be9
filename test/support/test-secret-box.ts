/**
 * A small but real SecretBox for tests: AES-256-GCM with a random key per box.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretBox, SecretRef } from '../../src/domain/secret-ref.ts';

/** Creates a secret box with a fresh random key. */
export function createTestSecretBox(): SecretBox {
  const key = randomBytes(32);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
      return { kind: 'encrypted', value: `v1:${parts.join(':')}` };
    },
    open(ref: SecretRef) {
      if (ref.kind !== 'encrypted') throw new Error(`test box cannot open ${ref.kind} refs`);
      const [iv, tag, body] = ref.value
        .slice(3)
        .split(':')
        .map((p) => Buffer.from(p, 'base64url'));
      if (iv === undefined || tag === undefined || body === undefined) {
        throw new Error('malformed encrypted value');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    },
  };
}
