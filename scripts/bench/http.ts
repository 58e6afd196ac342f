import http from 'node:http';

/** One keep-alive connection, like a client that sends its requests one after another. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Thrown when a request got no complete answer within its time. */
export class Timeout extends Error {}

/**
 * One request, bounded by `timeoutMs` (the socket is destroyed when it runs out, so nothing hangs).
 * `body` is sent as JSON. A kept-alive socket the server closed while it was idle fails at once with
 * ECONNRESET ("socket hang up"): that is retried once, on a new socket.
 */
export async function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<Answer> {
  try {
    return await once(url, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    return once(url, options);
  }
}

function once(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...options.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => {
      req.destroy(new Timeout(`${options.method ?? 'GET'} ${url}: no answer in ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(payload);
  });
}

/** The request, and an error unless it answered `expected` */
export async function expectStatus(
  expected: number,
  url: string,
  options: Parameters<typeof request>[1],
): Promise<Answer> {
  const answer = await request(url, options);
  if (answer.status !== expected) {
    throw new Error(
      `${options.method ?? 'GET'} ${url} answered ${answer.status}, not ${expected}: ${answer.body.slice(0, 300)}`,
    );
  }
  return answer;
}

/** Milliseconds since `start` (from performance.now()) */
export const since = (start: number): number => performance.now() - start;

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
