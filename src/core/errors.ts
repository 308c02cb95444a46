// Typed errors that tell the user what to do. Front ends print `message` as the one-line reason.

export class OomLensError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class CancelledError extends OomLensError {
  constructor() {
    super('cancelled');
  }
}

export class CollectError extends OomLensError {}

export function isCancelled(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof Error && e.name === 'AbortError');
}

/** An error as one line for people: OOM Lens' own with its hint, anything else by its message. */
export function errorText(e: unknown): string {
  if (e instanceof OomLensError) return e.message + (e.hint ? ` (${e.hint})` : '');
  return (e as Error)?.message ?? String(e);
}
