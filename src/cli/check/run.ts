/**
 * Runs the sections in order, as upstream: a fatal result stops everything after it; a check
 * whose prerequisite failed is skipped. A section marked parallel runs its checks at once (each
 * network probe has its own short timeout), so the whole run stays within a few seconds offline.
 */
import type { Outcome } from './report';
import type { CheckResult, Facts, Section } from './types';

export async function runChecks(sections: readonly Section[], facts: Facts): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const failed = new Set<string>();
  let fatal = false;
  for (const section of sections) {
    if (fatal) break;
    const runOne = async (c: Section['checks'][number]): Promise<Outcome> => {
      let result: CheckResult;
      if (c.needs?.some((n) => failed.has(n))) result = { kind: 'skipped' };
      else {
        try {
          result = await c.run(facts);
        } catch (e) {
          result = { kind: 'error', message: (e as Error).message ?? String(e), causes: causes(e) };
        }
      }
      if (result.kind === 'error' || result.kind === 'fatal' || result.kind === 'skipped') failed.add(c.id);
      return { section: section.name, id: c.id, description: c.description, result };
    };
    if (section.parallel) {
      outcomes.push(...(await Promise.all(section.checks.map(runOne))));
      continue;
    }
    for (const c of section.checks) {
      const o = await runOne(c);
      outcomes.push(o);
      if (o.result.kind === 'fatal') {
        fatal = true;
        break;
      }
    }
  }
  return outcomes;
}

function causes(e: unknown): string[] | undefined {
  const out: string[] = [];
  const hint = (e as { hint?: string }).hint;
  if (hint) out.push(hint);
  let c = (e as { cause?: unknown }).cause;
  while (c instanceof Error) {
    out.push(c.message);
    c = (c as { cause?: unknown }).cause;
  }
  return out.length ? out : undefined;
}
