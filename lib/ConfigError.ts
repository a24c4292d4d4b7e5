/** A configuration value a process cannot start with; the message names the variable. */
export class ConfigError extends Error {
  /** The variable (or variables, joined with "and") at fault, as the message names them. */
  readonly variable: string;
  readonly expected: string;
  readonly received: string;

  constructor(variable: string, expected: string, received: string) {
    super(`${variable} must be ${expected}; got "${received}"`);
    this.name = 'ConfigError';
    this.variable = variable;
    this.expected = expected;
    this.received = received;
  }

  /** The same error with each variable it names followed by where its value came from, e.g. `PORT (--port)`. */
  withOrigins(origins: ReadonlyMap<string, string>): ConfigError {
    const variable = this.variable.replace(/[A-Z][A-Z0-9_]*/g, (name) => {
      const origin = origins.get(name);
      return origin === undefined ? name : `${name} (${origin})`;
    });
    return new ConfigError(variable, this.expected, this.received);
  }
}
