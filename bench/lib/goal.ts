/**
 * Every goal is printed with its verdict, and once more in the summary at the end of a bench
 * (bench/run.js collects the GOAL lines of every bench into one table).
 */
export interface Goal {
  measure: string;
  value: number;
  limit: number;
  unit: 'x' | 'ms' | 'MiB' | 'MiB/min' | 'count';
  /** 'max': value must be at most limit (the default); 'min': at least. */
  kind?: 'max' | 'min';
}

export const met = (g: Goal): boolean => ((g.kind ?? 'max') === 'max' ? g.value <= g.limit : g.value >= g.limit);

const fmt = (v: number, unit: Goal['unit']) =>
  unit === 'x' ? `${v.toFixed(2)}x` : unit === 'count' ? String(v) : `${v.toFixed(unit === 'ms' ? 0 : unit === 'MiB/min' ? 3 : 1)} ${unit}`;

export function goalText(g: Goal): string {
  const op = (g.kind ?? 'max') === 'max' ? '<=' : '>=';
  return `${fmt(g.value, g.unit)} (goal ${op} ${fmt(g.limit, g.unit)}): ${met(g) ? 'met' : 'NOT met'}`;
}

/** Prints the goal line and a machine-readable GOAL line run.js gathers. */
export function report(g: Goal): void {
  console.log(`  => ${g.measure}: ${goalText(g)}`);
  console.log(`GOAL\t${g.measure}\t${goalText(g)}`);
}
