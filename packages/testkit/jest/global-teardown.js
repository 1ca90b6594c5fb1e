// Gives back what global-setup.js acquired: containers or a local stack this run started are stopped;
// a stack from `npm run stack:up`, from another run still going, or from the environment stays.
export default async function globalTeardown() {
  const stack = globalThis.__TRIBUTARY_STACK__;
  if (!stack) return;
  globalThis.__TRIBUTARY_STACK__ = undefined;
  await stack.release();
}
