/**
 * `POST /callbacks/thingspace`: Verizon ThingSpace CarrierService callbacks. The body is
 * checked (shape, and the user name / password registered with the callback URL, which
 * ThingSpace sends back in the body), stored, and the parked device changes waiting for its
 * request id are resumed. Answers 200 for a stored callback (ThingSpace retries otherwise),
 * 400 for a malformed body and 401 for wrong credentials.
 */

import {
  type CallbackCredentials,
  parseCarrierServiceCallback,
} from '../adapters/integrations/thingspace/thingspace-callbacks.ts';
import type { CarrierCallbackReceiver } from '../app/callbacks/receive-carrier-callback.ts';

/**
 * Creates the endpoint handler.
 *
 * @example
 * buildServer({ …, callbacks: { thingspace: createThingSpaceCallbackEndpoint({ receiver, credentials }) } });
 */
export function createThingSpaceCallbackEndpoint(deps: {
  receiver: CarrierCallbackReceiver;
  credentials: CallbackCredentials;
}) {
  return async (body: unknown): Promise<{ statusCode: number; body: unknown }> => {
    const parsed = parseCarrierServiceCallback(body, deps.credentials);
    if (!parsed.ok) {
      return {
        statusCode: parsed.unauthorized ? 401 : 400,
        body: {
          code: parsed.unauthorized ? 'UNAUTHORIZED' : 'VALIDATION_FAILED',
          message: parsed.reason,
        },
      };
    }
    const woken = await deps.receiver.receive(
      'ThingSpace',
      parsed.callback.requestId,
      parsed.callback,
    );
    return {
      statusCode: 200,
      body: { received: true, requestId: parsed.callback.requestId, resumed: woken.length },
    };
  };
}
