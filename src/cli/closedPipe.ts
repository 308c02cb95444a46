// `oom-lens … | head`: when the reader closes the pipe early, stop quietly (as cat and grep do)
// instead of dying on an unhandled EPIPE with a stack trace.
export function exitQuietlyOnClosedPipe(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}
