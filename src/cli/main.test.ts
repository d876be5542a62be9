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
