// The "free -h" picture derived from meminfo, shared by every front end so the numbers agree.
import type { MemoryInfo } from '../model/report';

export interface MemoryPicture {
  totalKb: number | null;
  usedKb: number | null;
  freeKb: number | null;
  sharedKb: number | null;
  buffCacheKb: number | null;
  availableKb: number | null;
  swapTotalKb: number | null;
  swapUsedKb: number | null;
  swapFreeKb: number | null;
}

export function memoryPicture(m: MemoryInfo): MemoryPicture {
  // free(1) since procps 3.3.10: buff/cache = Buffers + Cached + SReclaimable; used = total - available.
  const buffCache = m.buffersKb != null && m.cachedKb != null ? m.buffersKb + m.cachedKb : null;
  const used = m.totalKb != null && m.availableKb != null ? m.totalKb - m.availableKb : null;
  const swapUsed = m.swapTotalKb != null && m.swapFreeKb != null ? m.swapTotalKb - m.swapFreeKb : null;
  return {
    totalKb: m.totalKb,
    usedKb: used,
    freeKb: m.freeKb,
    sharedKb: m.shmemKb,
    buffCacheKb: buffCache,
    availableKb: m.availableKb,
    swapTotalKb: m.swapTotalKb,
    swapUsedKb: swapUsed,
    swapFreeKb: m.swapFreeKb,
  };
}
