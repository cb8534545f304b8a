/** One malformed variable: its name and the rule it breaks. */
export interface ConfigProblem {
  variable: string;
  rule: string;
}

/** "HEALTH_WINDOW_DAYS must be a whole number of days from 1 to 90; …" */
export function describeConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((problem) => `${problem.variable} must be ${problem.rule}`).join("; ");
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: ConfigProblem[]) {
    super(`Invalid configuration: ${describeConfigProblems(problems)}`);
  }
}
