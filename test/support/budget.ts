import * as os from 'os';

/**
 * A time budget for a test that guards against a blow-up (quadratic work, a hang), scaled by how busy the machine
 * is when the test runs: on an idle machine the budget is `ms`; on one whose load average is k times its cores
 * (other jobs, parallel test workers), k times `ms`. A quadratic regression costs orders of magnitude more than
 * any such factor, so the test still catches it, without failing on a shared, loaded machine. Speed itself is
 * measured by `npm run bench`, against an anchor run in the same process, not by unit tests.
 */
export function budget(ms: number): number {
  const load = os.loadavg()[0] / Math.max(1, os.cpus().length);
  return ms * Math.max(1, load);
}
