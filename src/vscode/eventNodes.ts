import * as vscode from 'vscode';
import type { OomEvent } from '../core/model/oomEvent';
import { formatKb } from '../core/format';
import { eventWhen, eventWhat, eventWhere, eventVictimRssKb } from '../core/report/eventsText';
import { Node } from './treeNode';

/** A tooltip with the facts of one event and the biggest tasks at that moment. */
function eventTooltip(e: OomEvent): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${eventWhat(e)}** — ${eventWhen(e)}\n\n`);
  if (e.victim)
    md.appendMarkdown(
      `victim: \`${e.victim.comm ?? '?'}\` pid ${e.victim.pid ?? '?'}, anon-rss ${formatKb(e.victim.anonRssKb)}, file-rss ${formatKb(e.victim.fileRssKb)}, oom_score_adj ${e.victim.oomScoreAdj ?? '?'}\n\n`,
    );
  if (e.trigger)
    md.appendMarkdown(
      `trigger: \`${e.trigger.comm ?? '?'}\` pid ${e.trigger.pid ?? '?'} (${e.trigger.gfpFlags ?? e.trigger.gfpMask ?? '?'}, order ${e.trigger.order ?? '?'})\n\n`,
    );
  if (e.constraint || e.memcg)
    md.appendMarkdown(
      `constraint: ${e.constraint ?? '-'} · memcg: \`${e.memcg ?? '-'}\`${e.memcgUsage ? ` · usage ${formatKb(e.memcgUsage.usageKb)} of ${formatKb(e.memcgUsage.limitKb)}` : ''}\n\n`,
    );
  if (e.runtime) md.appendMarkdown(`${e.runtime.name}: ${e.runtime.message}\n\n`);
  if (e.runtime?.name === 'go' && e.runtime.frame)
    md.appendMarkdown(`allocating in \`${e.runtime.frame.function}\` at ${e.runtime.frame.file}:${e.runtime.frame.line}\n\n`);
  if (e.containerState)
    md.appendMarkdown(
      `container: ${eventWhere(e)} · reason ${e.containerState.reason ?? '-'} · exit ${e.containerState.exitCode ?? '-'} · restarts ${e.containerState.restartCount ?? '-'}\n\n`,
    );
  const top = [...e.tasks].sort((a, b) => (b.rssPages ?? 0) - (a.rssPages ?? 0)).slice(0, 5);
  if (top.length) {
    md.appendMarkdown('biggest tasks then (RSS pages × 4 KiB):\n\n');
    for (const t of top)
      md.appendMarkdown(`- \`${t.name ?? '?'}\` ${t.pid ?? '?'}: ${formatKb(t.rssPages == null ? null : t.rssPages * 4)} (adj ${t.oomScoreAdj ?? '?'})\n`);
  }
  return md;
}

export function eventNodes(events: OomEvent[], idPrefix: string): Node[] {
  // Newest first: the first question is "what was killed last?".
  return [...events].reverse().map(
    (e, i) =>
      new Node(`${e.victim?.comm ?? e.runtime?.name ?? e.containerState?.name ?? eventWhat(e)}${e.victim?.pid != null ? ` (${e.victim.pid})` : ''}`, [], {
        description: `${eventWhen(e)} · ${eventWhat(e)}${eventVictimRssKb(e) !== null ? ` · ${formatKb(eventVictimRssKb(e))}` : ''} · ${eventWhere(e)}`,
        tooltip: eventTooltip(e),
        icon: e.kind === 'panic' ? 'error' : 'flame',
        id: `${idPrefix}.event.${i}`,
        contextValue: 'oomEvent',
      }),
  );
}

export function eventsSection(events: OomEvent[], idPrefix: string, label = 'OOM kills'): Node {
  return new Node(`${label} (${events.length})`, eventNodes(events, idPrefix), {
    icon: 'flame',
    id: `${idPrefix}.events`,
    description: events.length ? undefined : 'none in the kernel log',
  });
}
