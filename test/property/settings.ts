import fc from 'fast-check';

/**
 * Every property file imports this first. 200 runs per property keeps the unit phase in
 * seconds; the seed is fixed so `npm test` is repeatable, and fast-check prints the seed and
 * the shrunk counterexample (with `path`) when a property fails. Explore new cases with
 * `FC_SEED=random` (or replay one with `FC_SEED=<seed>`).
 */
const requested = process.env.FC_SEED;
const seed =
  requested === 'random' ? Date.now() ^ (Math.random() * 0x100000000) : requested ? Number(requested) : 20261202;

fc.configureGlobal({ numRuns: 200, seed, includeErrorInReport: true });

export { fc };
