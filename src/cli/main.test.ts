import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CONFIG_OPTIONS } from '../config/config-options.ts';
import { buildProgram } from './main.ts';

describe('bulk-change CLI', () => {
  it('has the serve, migrate and seed commands, each with help', () => {
    const program = buildProgram();
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(['serve', 'migrate', 'seed']));
    for (const command of program.commands) {
      expect(command.helpInformation()).toContain(`Usage: bulk-change ${command.name()}`);
    }
  });

  it('documents every configuration option with its variable and default in --help', () => {
    const help = buildProgram().helpInformation().replace(/\s+/g, ' ');
    for (const option of CONFIG_OPTIONS) {
      expect(help).toContain(option.flag.split(' ')[0]);
      expect(help).toContain(`[env: ${option.env}]`);
    }
  });

  it('shows global options in a command help', () => {
    const serve = buildProgram().commands.find((c) => c.name() === 'serve');
    expect(serve).toBeDefined();
    const help = serve?.helpInformation() ?? '';
    expect(help).toContain('--data-dir');
  });
});

describe('boolean flags', () => {
  async function flagsFor(argv: string[]) {
    const program = buildProgram();
    let seen: Record<string, unknown> = {};
    program.commands
      .find((c) => c.name() === 'migrate')
      ?.action((_o: unknown, command: Command) => {
        seen = command.optsWithGlobals();
      });
    await program.parseAsync(['node', 'bulk-change', ...argv, 'migrate']);
    return seen;
  }

  it('leaves seedDemo and simulators unset unless a flag is given, so env and mode decide', async () => {
    const none = await flagsFor([]);
    expect(none.seedDemo).toBeUndefined();
    expect(none.simulators).toBeUndefined();
    expect((await flagsFor(['--no-seed-demo'])).seedDemo).toBe(false);
    expect((await flagsFor(['--seed-demo'])).seedDemo).toBe(true);
    expect((await flagsFor(['--no-simulators'])).simulators).toBe(false);
  });
});

describe('simulators --seed', () => {
  it('refuses a seed that is not a whole number, naming the value', async () => {
    const program = buildProgram();
    program.exitOverride();
    for (const command of program.commands) {
      command.exitOverride();
      command.configureOutput({ writeErr: () => undefined });
    }
    await expect(
      program.parseAsync(['node', 'bulk-change', 'simulators', '--seed', 'abc']),
    ).rejects.toThrow('--seed must be a whole number; got "abc"');
  });
});
