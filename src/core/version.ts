// Injected by the build (esbuild define); the fallback serves tests run from source.
declare const __OOM_LENS_VERSION__: string | undefined;
export const VERSION: string = typeof __OOM_LENS_VERSION__ === 'string' ? __OOM_LENS_VERSION__ : '0.0.0-dev';
