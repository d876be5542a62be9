/**
 * A minimal vendor simulator for testing the shared kit itself (not a carrier): one account
 * authenticated by an `x-key` header, a counter that `POST /items` increments, `GET /items`.
 */
import type { SimulatorDefinition } from './simulator/simulator-server.ts';

/** State of the test simulator. */
export interface TestSimState {
  items: string[];
}

/** Definition used by the shared kit's own tests. */
export const testSimulatorDefinition: SimulatorDefinition<TestSimState> = {
  name: 'test',
  createState: () => ({ items: [] }),
  authenticate: (req) =>
    req.headers['x-key'] === 'good'
      ? { account: 'acct-1' }
      : { status: 401, json: { error: 'bad key' } },
  throttled: (seconds) => ({
    status: 429,
    headers: { 'retry-after': String(seconds) },
    json: { error: 'slow down' },
  }),
  serverError: (status) => ({ status, json: { error: 'server error' } }),
  routes: [
    {
      method: 'GET',
      path: '/items',
      operation: 'listItems',
      handle: (_req, ctx) => ({ status: 200, json: { items: ctx.state.items } }),
    },
    {
      method: 'POST',
      path: '/items',
      operation: 'addItem',
      handle: (req, ctx) => {
        const name = (req.body as { name?: unknown } | undefined)?.name;
        if (typeof name !== 'string') return { status: 400, json: { error: 'name required' } };
        ctx.state.items.push(name);
        return { status: 201, json: { name, count: ctx.state.items.length } };
      },
    },
    {
      method: 'GET',
      path: '/items/:index',
      operation: 'getItem',
      handle: (req, ctx) => {
        const item = ctx.state.items[Number(req.params.index)];
        return item === undefined
          ? { status: 404, json: { error: 'none' } }
          : { status: 200, json: { item } };
      },
    },
  ],
};
