import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  spawnError?: string;
}

export interface RunningProcess {
  done: Promise<ProcessOutcome>;
  /** Cancels like the runner: SIGINT to the process group, SIGTERM 7.5 s later, SIGKILL after 2.5 s more. */
  cancel(): void;
}

const INTERRUPT_GRACE_MS = 7_500;
const TERMINATE_GRACE_MS = 2_500;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Runner-style stop of the whole group: SIGINT now, SIGTERM and then SIGKILL if it lingers. */
function stopGroup(child: ChildProcess, timers: NodeJS.Timeout[]): void {
  signalGroup(child, 'SIGINT');
  timers.push(
    setTimeout(() => {
      signalGroup(child, 'SIGTERM');
      timers.push(setTimeout(() => signalGroup(child, 'SIGKILL'), TERMINATE_GRACE_MS));
    }, INTERRUPT_GRACE_MS),
  );
}

/**
 * Splits each stream into lines; a trailing partial line is flushed when the stream ends.
 * Takes the options object (not the bare callback) so `onLine` is still called as a method.
 */
function streamLines(
  child: ChildProcess,
  options: { onLine: (line: string, stream: 'stdout' | 'stderr') => void },
): void {
  for (const [stream, name] of [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ] as const) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line, name);
    });
    stream?.on('end', () => {
      if (pending) options.onLine(pending, name);
      pending = '';
    });
  }
}

/** A process that could not even be spawned: already done, nothing to cancel. */
function spawnFailed(error: unknown): RunningProcess {
  return {
    done: Promise.resolve({
      exitCode: null,
      signal: null,
      timedOut: false,
      cancelled: false,
      spawnError: (error as Error).message,
    }),
    cancel: () => undefined,
  };
}

/**
 * Runs one step's process in its own process group, streaming its output line by line.
 * A timeout or a cancel stops the whole group (the script and whatever it started).
 */
export interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

export function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions & { onLine: (line: string, stream: 'stdout' | 'stderr') => void },
): RunningProcess {
  let timedOut = false;
  let cancelled = false;
  const timers: NodeJS.Timeout[] = [];
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (error) {
    return spawnFailed(error);
  }
  const stop = () => stopGroup(child, timers);
  streamLines(child, options);
  if (Number.isFinite(options.timeoutMs)) {
    timers.push(
      setTimeout(
        () => {
          timedOut = true;
          stop();
        },
        Math.max(1, options.timeoutMs),
      ),
    );
  }
  const done = new Promise<ProcessOutcome>((resolvePromise) => {
    let spawnError: string | undefined;
    child.on('error', (error) => {
      spawnError = error.message;
    });
    child.on('close', (exitCode, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolvePromise({ exitCode, signal, timedOut, cancelled, ...(spawnError ? { spawnError } : {}) });
    });
  });
  return {
    done,
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      stop();
    },
  };
}
