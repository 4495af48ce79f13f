// Resolution hook for the engine process: a utility process gets process.parentPort, not the
// `electron` module, so importing it is a defect the test must see.
export async function resolve(specifier, context, next) {
  if (specifier === 'electron')
    throw new Error(`the engine process imported "electron" (from ${context.parentURL})`);
  return next(specifier, context);
}
