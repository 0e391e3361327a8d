/**
 * Polls a condition with a bounded wait, for state that changes after an awaited action (integration
 * tests only; unit tests never wait on time). The bound is generous on purpose: it only decides how long
 * a failing test takes, and a loaded 2-core CI machine makes slow-but-correct steps several times slower.
 */
export const UNTIL_DEFAULT_MS = 60_000;

export async function until<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = UNTIL_DEFAULT_MS,
  describeFailure: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const cause = last ? `: ${last instanceof Error ? last.message : String(last)}` : '';
      throw new Error(`timed out waiting for ${what}${cause}${describeFailure()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
