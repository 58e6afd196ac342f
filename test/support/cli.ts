import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
const BUILD = path.join(ROOT, '.test-build');
export const CLI = path.join(BUILD, 'src', 'cli.js');

/**
 * Compiles src/ once into .test-build/ (beside dist/, inside the repository so the package's schemas/
 * and fixtures/ are found as they are from dist/), so each test starts the real CLI with plain node.
 */
export function buildCli(): void {
  fs.rmSync(BUILD, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD],
    { cwd: ROOT, stdio: 'pipe' },
  );
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end (for --help, --version and refusals). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...cleanEnv(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment without the variables the CLI reads, so the host's own settings never leak in. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key === 'PORT' || key === 'HOST' || key.startsWith('POSTHOG_MOCK_')) delete env[key];
  return env;
}

export interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  banner: string;
  stderr: () => string;
  /** SIGTERM, then the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the CLI and resolves with its URL once it listens (from the banner, or `url` when quiet). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, url?: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...cleanEnv(), ...env } });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const started = (banner: string, at: string) =>
      resolve({
        child,
        url: at,
        banner,
        stderr: () => stderr,
        stop: (signal = 'SIGTERM') => {
          child.kill(signal);
          return exited;
        },
      });
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split('\n')[0]!;
      const m = / listening on (http:\/\/\S+) /.exec(line);
      if (m && stdout.includes('\n')) started(line, m[1]!);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    void exited.then((code) => reject(new Error(`cli exited with ${code}: ${stderr}`)));
    if (url) {
      // quiet: poll the health endpoint instead of reading the banner
      const poll = async (): Promise<void> => {
        for (let i = 0; i < 200; i++) {
          try {
            if ((await fetch(`${url}/_health`)).ok) return started('', url);
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        reject(new Error('cli never answered'));
      };
      void poll();
    }
  });
}

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
