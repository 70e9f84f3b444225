// The environment `cargo xtask test` and `cargo xtask bench` hand the JS checks: a variable that must be set.

/** A reader of required variables: a missing one throws, saying to run `how` (e.g. "these checks with `cargo xtask test`"). */
export const required = (how) => (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run ${how}`);
  return value;
};
