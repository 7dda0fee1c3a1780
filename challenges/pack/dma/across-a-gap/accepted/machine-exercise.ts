/**
 * The accepted reference of a machine exercise (subject "none"): such a
 * challenge grades no plugin — the replay drives the simulated machine and
 * checks each op's `expect`. `memarena challenge verify` still needs a file
 * to run, so this stands in; it is never called.
 */
import { defineAllocator } from "memarena";

export default defineAllocator({
  name: "machine-exercise",
  create: () => ({ malloc: () => 0, free: () => undefined }),
});
