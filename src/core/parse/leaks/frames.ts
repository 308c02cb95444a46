// Which frame of a leak site is the user's own code, and stable keys for matching sites across runs.
import type { LeakFrame, LeakSite } from '../../model/leakReport';

const ALLOC_FNS = new Set([
  'malloc',
  'calloc',
  'realloc',
  'reallocarray',
  'free',
  'memalign',
  'posix_memalign',
  'aligned_alloc',
  'valloc',
  'pvalloc',
  'strdup',
  'strndup',
  '__libc_malloc',
  '__libc_calloc',
  '__libc_realloc',
  '__GI___libc_malloc',
  '__GI___libc_realloc',
  '_Znwm',
  '_Znam',
  '_Znwj',
  '_Znaj',
  'mmap',
  'mmap64',
  'mremap',
  'brk',
  'sbrk',
  'g_malloc',
  'g_malloc0',
  'g_realloc',
  'g_try_malloc',
  'PyMem_Malloc',
  'PyMem_RawMalloc',
  'PyObject_Malloc',
  'PyMem_Calloc',
  'PyMem_Realloc',
  'PyObject_Realloc',
]);

const SYSTEM_FILES = new Set([
  'vg_replace_malloc.c',
  'vg_replace_strmem.c',
  'syscall-template.S',
  'arena.c',
  'malloc.c',
  'new_op.cc',
  'new_opv.cc',
  'new_opnt.cc',
  'eh_alloc.cc',
  'dl-load.c',
  'dl-open.c',
  'dl-init.c',
  'dl-error.c',
  'dl-deps.c',
  'dl-object.c',
  'dl-minimal.c',
  'dl-catch.c',
  'dl-tls.c',
  'dlopen.c',
  'dlerror.c',
  'libc-start.c',
  'libc_start_call_main.h',
  'pthread_create.c',
  'allocatestack.c',
  'strdup.c',
  'new_allocator.h',
  'alloc_traits.h',
  'allocator.h',
  'stl_vector.h',
  'stl_tree.h',
  'stl_map.h',
  'stl_list.h',
  'stl_deque.h',
  'stl_construct.h',
  'stl_uninitialized.h',
  'stl_algobase.h',
  'basic_string.h',
  'basic_string.tcc',
  'vector.tcc',
  'deque.tcc',
  'hashtable.h',
  'hashtable_policy.h',
  'shared_ptr.h',
  'shared_ptr_base.h',
  'unique_ptr.h',
  'std_function.h',
  'move.h',
  'invoke.h',
  'char_traits.h',
  'stl_pair.h',
  'tuple',
  'functional',
  'memory',
  'string',
  'vector',
  'map',
]);

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Allocator frames: malloc & co, operator new, valgrind's replacements. */
export function isAllocatorFrame(f: LeakFrame): boolean {
  const fn = f.function ?? '';
  if (ALLOC_FNS.has(fn)) return true;
  if (/^operator new(\[\])?\b/.test(fn)) return true;
  // the sanitizers' interceptors: __interceptor_malloc (gcc), ___interceptor_malloc (clang 17+)
  if (/^_{2,3}(?:interceptor|asan|lsan|sanitizer)_/.test(fn)) return true;
  if (f.file && /(?:^|\/)(?:libsanitizer|compiler-rt\/lib)\//.test(f.file)) return true;
  if (f.object && /\/lib(?:l|a)san\.so|libclang_rt\.(?:l|a)san/.test(f.object) && !f.file) return true;
  if (f.file && basename(f.file) === 'vg_replace_malloc.c') return true;
  if (f.object && /vgpreload_|\/valgrind\//.test(f.object) && !f.file) return true;
  return false;
}

/** A frame that is certainly not the user's code: allocators, libc/libstdc++, Python stdlib, Node internals. */
export function isSystemFrame(f: LeakFrame): boolean {
  if (isAllocatorFrame(f)) return true;
  const fn = f.function ?? '';
  if (/^\((?:root|program|idle|garbage collector|V8 API|below main)\)$/.test(fn)) return true;
  if (/^(?:(?:const |unsigned |void |bool |int |char |auto )?[\w:]*(?:<[^()]*>)?[*&]* )?(?:std|__gnu_cxx|__cxxabiv1)::/.test(fn)) return true;
  const file = f.file;
  if (file) {
    const b = basename(file);
    if (SYSTEM_FILES.has(b)) return true;
    if (/^\/usr\/include\/|\/include\/c\+\+\/|^\/build\/glibc-|\/glibc[-/]/.test(file)) return true;
    // Python standard library (not site-/dist-packages) and frozen modules
    if (/^<frozen |^<string>$/.test(file)) return true;
    if (/\/lib(?:64)?\/python\d(?:\.\d+)?\/(?!site-packages\/|dist-packages\/)/.test(file)) return true;
    // Node internals
    if (/^node:|^internal\//.test(file)) return true;
  } else if (f.object && /^\/(?:usr\/)?lib(?:64|exec)?\/|\/valgrind\//.test(f.object)) {
    return true;
  }
  return false;
}

/** Default notion of "the user's file": any file that is not a system one (see isSystemFrame). */
export function defaultIsUserFile(file: string): boolean {
  return !isSystemFrame({ function: null, file, line: null, object: null });
}

/**
 * The first frame (innermost first) that is in the user's code: it has a file, is not an allocator,
 * libc/libstdc++, Python stdlib or Node internal frame, and `isUserFile(file)` accepts it.
 * Null when there is none.
 */
export function firstUserFrame(site: LeakSite, isUserFile: (file: string) => boolean = defaultIsUserFile): LeakFrame | null {
  for (const f of site.frames) {
    if (!f.file) continue;
    if (isSystemFrame(f)) continue;
    if (!isUserFile(f.file)) continue;
    return f;
  }
  return null;
}

/**
 * A stable key for matching the "same" site across two reports: the kind plus function / file
 * basename / line of the first few non-allocator frames (addresses ignored); the label when a site
 * has no frames (heap tools).
 */
export function siteKey(site: LeakSite, depth = 4, withKind = true): string {
  const frames = site.frames.filter((f) => !isAllocatorFrame(f)).slice(0, depth);
  const parts = frames.map((f) => `${f.function ?? '?'}@${f.file ? basename(f.file) : f.object ? basename(f.object) : '?'}:${f.line ?? ''}`);
  const body = parts.length > 0 ? parts.join('|') : `label:${site.label ?? ''}`;
  return withKind ? `${site.kind}#${body}` : body;
}

/** Frames kept per site, as valgrind's --num-callers bounds them: deep recursion must not make a report quadratic. */
export const MAX_SITE_FRAMES = 24;

/** A frame that can be the user's code (has a file, is not a system frame): the one a cut must keep. */
export function isUserCandidate(f: LeakFrame): boolean {
  return !!f.file && !isSystemFrame(f);
}

/**
 * The first `max` frames (innermost first), plus the first frame in the user's code when it lies
 * beyond them, and how many frames were cut.
 */
export function boundFrames(frames: LeakFrame[], max = MAX_SITE_FRAMES): { frames: LeakFrame[]; omitted: number } {
  if (frames.length <= max) return { frames, omitted: 0 };
  const kept = frames.slice(0, max);
  if (!kept.some(isUserCandidate)) {
    for (let i = max; i < frames.length; i++) {
      if (isUserCandidate(frames[i])) {
        kept.push(frames[i]);
        break;
      }
    }
  }
  return { frames: kept, omitted: frames.length - kept.length };
}

/** boundFrames on a site in place; sets site.framesOmitted when frames were cut (adds to a count already there). */
export function boundSite(site: LeakSite, max = MAX_SITE_FRAMES): LeakSite {
  const b = boundFrames(site.frames, max);
  if (b.omitted > 0) {
    site.frames = b.frames;
    site.framesOmitted = (site.framesOmitted ?? 0) + b.omitted;
  }
  return site;
}
