import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** A server the bench started as a child process. */
export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** what it printed so far (stdout and stderr, the last 20 KB) */
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves once it has exited */
  stop(): Promise<void>;
}

const running = new Set<Child>();

/** Stops every child still running (on the way out, whatever happened). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}

/** Kills what is left synchronously when the bench itself is interrupted. */
export function killAllNow(): void {
  for (const child of running) child.process.kill('SIGKILL');
}

export function startChild(name: string, command: string, args: string[], cwd?: string): Child {
  const proc = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = {
    name,
    process: proc,
    pid: proc.pid ?? -1,
    output: () => text,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

/** How a child's start ended: the first match of `pattern` in its output, or why there is none. */
export type Started =
  { ok: true; match: RegExpMatchArray } | { ok: false; reason: string; exitCode?: number };

/** Waits until the child prints something matching `pattern`, exits, or `timeoutMs` runs out. */
export function waitFor(child: Child, pattern: RegExp, timeoutMs: number): Promise<Started> {
  return new Promise((resolve) => {
    const proc = child.process;
    const check = (): void => {
      const match = child.output().match(pattern);
      if (match) done({ ok: true, match });
    };
    const onExit = (code: number | null, signal: string | null): void => {
      // what it printed last, on one line
      const last = child.output().trim().split('\n').slice(-3).join(' ').slice(0, 500);
      done({ ok: false, reason: last || `exited (${code ?? signal})`, exitCode: code ?? undefined });
    };
    const timer = setTimeout(() => done({ ok: false, reason: 'timeout' }), timeoutMs);
    function done(result: Started): void {
      clearTimeout(timer);
      proc.stdout!.off('data', check);
      proc.stderr!.off('data', check);
      proc.off('exit', onExit);
      resolve(result);
    }
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.on('exit', onExit);
    check();
  });
}

/** The child's resident memory in MB, from /proc (Linux); undefined elsewhere. */
export function rssMB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** A port free right now on 127.0.0.1, for peers that cannot listen on port 0 and say which port they got. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
