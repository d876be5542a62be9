import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';

describe('createLogger', () => {
  it('redacts credential fields at the top level and one level down', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    logger.info({ password: 'p4ss', account: { apiKey: 'k3y', name: 'acme' } }, 'hello');
    logger.flush();
    const line = lines.join('');
    expect(line).toContain('acme');
    expect(line).not.toContain('p4ss');
    expect(line).not.toContain('k3y');
    expect(JSON.parse(line).account.apiKey).toBe('[redacted]');
  });
});
