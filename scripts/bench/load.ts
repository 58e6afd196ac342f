/**
 * One round of load: autocannon (programmatic API) against one target for one scenario, 20 connections.
 * Writes get a unique body per request from `requests[].setupRequest` (autocannon 8's `-I` id replacement
 * hangs, so it is not used).
 */
import autocannon from 'autocannon';
import type { Call } from './scenarios';

export interface Round {
  /** mean requests per second over the round */
  reqPerSec: number;
  /** ms */
  latencyP50: number;
  latencyP99: number;
  requests: number;
  /** answers outside 2xx, and connection errors/timeouts: a round with any is not a valid figure */
  non2xx: number;
  errors: number;
}

export async function round(
  url: string,
  call: Call,
  headers: Record<string, string>,
  options: { connections: number; seconds: number },
): Promise<Round> {
  let n = 0;
  const body = call.body;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    // a request that takes this long is a timeout (counted in errors), never a hang
    timeout: 30,
    requests: [
      {
        method: call.method,
        path: call.path,
        headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
        ...(body ? { setupRequest: (req) => ({ ...req, body: JSON.stringify(body(++n)) }) } : {}),
      },
    ],
  });
  return {
    reqPerSec: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
