/**
 * Starts the four vendor simulators (Jasper, ThingSpace, Telegence, Rev.io) on consecutive
 * ports, seeded from the same demo dataset as the database, so that the demo accounts stored
 * at first start reach them. Used by `bulk-change simulators` and by `serve` in local mode.
 */

import { createJasperSimulator } from '../adapters/integrations/jasper/jasper-simulator.ts';
import { createRevioSimulator } from '../adapters/integrations/revio/revio-simulator.ts';
import type { Simulator } from '../adapters/integrations/shared/simulator/simulator-server.ts';
import { createTelegenceSimulator } from '../adapters/integrations/telegence/telegence-simulator.ts';
import { createThingSpaceSimulator } from '../adapters/integrations/thingspace/thingspace-simulator.ts';
import { buildDemoDataset, type DemoDataset } from '../app/demo/demo-dataset.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';

/** Base URLs of the simulators as the demo accounts use them (API path prefix included). */
export interface SimulatorUrls {
  jasper: string;
  thingspace: string;
  telegence: string;
  revio: string;
}

/** Path prefix of each vendor API below its simulator's origin. */
const API_PREFIX: Readonly<SimulatorUrls> = Object.freeze({
  jasper: '/rws/api/v1',
  thingspace: '/api/m2m/v1',
  telegence: '/sp/mobility/lineconfig/api/v1',
  revio: '/v1',
});

/** The API base URLs for simulators listening from `portBase` on `host`. */
export function simulatorUrls(portBase: number, host = '127.0.0.1'): SimulatorUrls {
  const at = (offset: number, key: keyof SimulatorUrls) =>
    `http://${host}:${portBase + offset}${API_PREFIX[key]}`;
  return {
    jasper: at(0, 'jasper'),
    thingspace: at(1, 'thingspace'),
    telegence: at(2, 'telegence'),
    revio: at(3, 'revio'),
  };
}

/** Running simulators. */
export interface RunningSimulators {
  readonly urls: SimulatorUrls;
  /** The demo dataset the simulators were seeded from (seed the database from the same one). */
  readonly dataset: DemoDataset;
  readonly simulators: Readonly<Record<keyof SimulatorUrls, Simulator<unknown>>>;
  stop(): Promise<void>;
}

/** Options of {@link startSimulators}. */
export interface StartSimulatorsOptions {
  portBase: number;
  host?: string;
  seed?: number;
  /** @default buildDemoDataset({ baseUrls: simulatorUrls(portBase, host) }) */
  dataset?: DemoDataset;
}

/**
 * Starts all four simulators; if one cannot listen (port taken) the others are stopped again.
 *
 * @example
 * const sims = await startSimulators({ portBase: 4010 });
 * console.log(sims.urls.jasper); // http://127.0.0.1:4010/rws/api/v1
 */
export async function startSimulators(options: StartSimulatorsOptions): Promise<RunningSimulators> {
  const host = options.host ?? '127.0.0.1';
  const urls = simulatorUrls(options.portBase, host);
  const dataset = options.dataset ?? buildDemoDataset({ baseUrls: urls });
  const seed = options.seed ?? 1;
  const simulators = {
    jasper: createJasperSimulator({ seed, dataset }) as Simulator<unknown>,
    thingspace: createThingSpaceSimulator({ seed, dataset }) as Simulator<unknown>,
    telegence: createTelegenceSimulator({ seed, dataset }) as Simulator<unknown>,
    revio: createRevioSimulator({ seed, dataset }) as Simulator<unknown>,
  };
  const order: Array<keyof SimulatorUrls> = ['jasper', 'thingspace', 'telegence', 'revio'];
  const started: Simulator<unknown>[] = [];
  try {
    for (const [i, key] of order.entries()) {
      await simulators[key].start(options.portBase + i, host);
      started.push(simulators[key]);
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const port = options.portBase + started.length;
      throw new AppError(
        ErrorCode.CONFIG_INVALID,
        `simulator port ${port} on ${host} is in use; choose another SIMULATOR_PORT_BASE or run with --no-simulators`,
        { cause: error, context: { port, host } },
      );
    }
    throw error;
  }
  return {
    urls,
    dataset,
    simulators,
    async stop() {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
