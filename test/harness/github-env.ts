// Runs code with exactly the given runner variables, for what reads them the way @actions/github does
// (from process.env). Tests run one file per process, so this changes nothing another file sees.
const RUNNER_VARIABLES = [
  'GITHUB_EVENT_PATH',
  'GITHUB_EVENT_NAME',
  'GITHUB_REPOSITORY',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_SHA',
  'GITHUB_REF',
  'GITHUB_WORKFLOW',
  'GITHUB_ACTION',
  'GITHUB_ACTOR',
  'GITHUB_JOB',
  'GITHUB_SERVER_URL',
  'GITHUB_API_URL',
];

/** Runs `body` with exactly these runner variables set (the others unset), then restores them. */
export function withRunnerEnv<T>(env: Record<string, string>, body: () => T): T {
  const saved = Object.fromEntries(RUNNER_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of RUNNER_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
