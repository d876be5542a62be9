/**
 * The only module that reads `process.env`. Everything else receives an {@link EnvSource}
 * (a plain record), which keeps configuration testable and makes every variable visible in
 * one place: `config-options.ts` lists them all.
 */

/** A read-only view of environment variables. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** A snapshot of the process environment. */
export function processEnv(): EnvSource {
  return Object.freeze({ ...process.env });
}

/** The trimmed value of `name`, or undefined when unset or blank. */
export function readEnv(env: EnvSource, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
