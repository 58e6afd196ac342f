/**
 * PostHog renders datetimes as ISO-8601 UTC with microseconds: 2025-01-01T12:00:00.123456Z.
 * JavaScript dates carry milliseconds, so the microsecond digits are kept beside them.
 */
export function isoMicro(ms: number, micros = 0): string {
  const base = new Date(ms).toISOString(); // 2025-01-01T12:00:00.123Z
  return `${base.slice(0, -1)}${String(Math.trunc(micros) % 1000).padStart(3, '0')}Z`;
}

let lastMicros = 0n;

/** The current time, strictly increasing between calls so "newest first" orderings are stable. */
export function now(): string {
  let micros = BigInt(Date.now()) * 1000n + ((process.hrtime.bigint() / 1000n) % 1000n);
  if (micros <= lastMicros) micros = lastMicros + 1n;
  lastMicros = micros;
  return isoMicro(Number(micros / 1000n), Number(micros % 1000n));
}

export const DAY_MS = 24 * 60 * 60 * 1000;
