/**
 * Waits for SIGINT or SIGTERM. A second signal while shutting down exits at once.
 */

/** Resolves on the first SIGINT/SIGTERM. */
export function waitForShutdownSignal(logger: { info(msg: string): void }): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      logger.info(`${signal} received, shutting down`);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
