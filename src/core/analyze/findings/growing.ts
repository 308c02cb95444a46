// growing: processes that grew significantly while sampled but are not leak suspects (too short a
// window, irregular, or slowing down). One info finding for all of them.
import { formatKb } from '../../format';
import type { Finding } from '../../model/report';
import { type FindingContext, growthOf } from './context';
import { rate } from './leakSuspect';

export function growing(ctx: FindingContext): Finding[] {
  const gs = growthOf(ctx.report)
    .filter((g) => g.verdict === 'growing' && g.running !== false)
    .sort((a, b) => (b.basisSlopeKbPerMin ?? b.slopeKbPerMin) - (a.basisSlopeKbPerMin ?? a.slopeKbPerMin));
  if (!gs.length) return [];
  const list = gs
    .slice(0, 5)
    .map((g) => `${g.comm} (${g.pid}) ${rate(g.basisSlopeKbPerMin ?? g.slopeKbPerMin)}`)
    .join(', ');
  return [
    {
      id: 'growing',
      severity: 'info',
      title: `${gs.length} process${gs.length === 1 ? '' : 'es'} grew while sampled: ${list}${gs.length > 5 ? ', …' : ''}`,
      detail: `Not (yet) leak suspects: ${gs
        .slice(0, 5)
        .map((g) => `${g.comm} (${g.pid}): ${g.reason ?? `${formatKb(g.changeKb ?? 0)}`}`)
        .join('; ')}. Sample for longer to tell a leak from warm-up or a cache filling up.`,
      pids: gs.map((g) => g.pid),
      evidence: {
        processes: gs.map((g) => ({
          pid: g.pid,
          comm: g.comm,
          slopeKbPerMin: g.basisSlopeKbPerMin ?? g.slopeKbPerMin,
          r2: g.basisR2 ?? g.r2,
          samples: g.samples,
          recentSlopeKbPerMin: g.recentSlopeKbPerMin ?? null,
          projectedOomAt: g.projectedOomAt,
          reason: g.reason ?? null,
        })),
      },
      remedies: [],
    },
  ];
}
