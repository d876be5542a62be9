/**
 * How carrier and billing credentials are stored: never in plain text.
 *
 * A stored credential is a {@link SecretRef}: either the name of an environment variable
 * (`{ kind: 'env', name }`, e.g. for secrets injected by the platform) or a value encrypted
 * with the service's secrets key (`{ kind: 'encrypted', value }`, AES-256-GCM, see
 * `adapters/secrets/secret-box.ts`). Resolving a reference is an adapter concern.
 */
import { z } from 'zod';

/** Zod schema of a stored secret reference. */
export const secretRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('env'), name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }),
  z.object({ kind: z.literal('encrypted'), value: z.string().startsWith('v1:') }),
]);

/** A stored secret: an environment variable name or an encrypted value. */
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Named credentials of one carrier or billing account (e.g. `{ apiKey: …, password: … }`). */
export type SecretRefs = Readonly<Record<string, SecretRef>>;

/** Port: turns a plain secret into a storable reference and back. */
export interface SecretBox {
  /** Encrypts `plain` into an `encrypted` reference. */
  seal(plain: string): SecretRef;
  /** Returns the plain value of a reference; throws `SECRET_UNAVAILABLE` when it cannot. */
  open(ref: SecretRef): string;
}
