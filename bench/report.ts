/**
 * The child side of `npm run bench` (bench/run.ts): runs one benchmark module's `run`, prints
 * its figures, then one marked line with them as JSON for the parent to merge.
 */

/** The prefix of the line that carries a module's figures as JSON. */
export const RESULT_MARKER = '__bench_result__ ';

export async function report(run: () => Promise<Record<string, number>>): Promise<void> {
  const figures = await run();
  for (const [k, v] of Object.entries(figures)) {
    console.log(`${k.padEnd(40)} ${Number.isInteger(v) ? v : v.toPrecision(4)}`);
  }
  console.log(RESULT_MARKER + JSON.stringify(figures));
}
