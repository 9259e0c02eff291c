// A process warning (a deprecation, an unhandled rejection turned warning) fails the run: it is a bug.
process.on("warning", (warning) => {
  throw warning;
});
