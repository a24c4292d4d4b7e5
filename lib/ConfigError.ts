/** A configuration value a process cannot start with; the message names the variable. */
export class ConfigError extends Error {
  constructor(variable: string, expected: string, received: string) {
    super(`${variable} must be ${expected}; got "${received}"`);
    this.name = 'ConfigError';
  }
}
