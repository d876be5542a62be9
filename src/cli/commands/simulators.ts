/**
 * `bulk-change simulators`: runs the Jasper, ThingSpace, Telegence and Rev.io simulators with
 * the demo accounts and devices until Ctrl-C. No database needed.
 */
import type { ServiceOptions } from '../../config/config-options.ts';
import { processEnv } from '../../config/env.ts';
import { resolveConfig } from '../../config/resolve-config.ts';
import { startSimulators } from '../../runtime/start-simulators.ts';
import { waitForShutdownSignal } from '../shutdown-signal.ts';

/** Runs the simulators command. */
export async function runSimulatorsCommand(
  flags: ServiceOptions,
  options: { seed: number; host: string },
): Promise<void> {
  const config = resolveConfig({ flags, env: processEnv() });
  const sims = await startSimulators({
    portBase: config.simulatorPortBase,
    host: options.host,
    seed: options.seed,
  });
  const lines = [
    'simulators running (demo accounts; admin endpoint /__admin/* on each):',
    `  jasper      ${sims.urls.jasper}`,
    `  thingspace  ${sims.urls.thingspace}`,
    `  telegence   ${sims.urls.telegence}`,
    `  revio       ${sims.urls.revio}`,
    'Ctrl-C to stop',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await waitForShutdownSignal({ info: () => undefined });
  await sims.stop();
}
