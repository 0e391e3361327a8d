import type { TestEngine } from '../../test/helpers/engine';

/** A bench's entry point: exit 0 when main resolves, print the error and exit 1 when it rejects. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

/** Stops a bench's private engine in its `finally`: a failed stop (e.g. a mount still busy) must not hide the error that ended the bench. */
export async function stopEngineAfterBench(engine: TestEngine): Promise<void> {
  await engine.stop().catch((e) => console.error(`stopping the engine: ${(e as Error).message.split('\n')[0]}`));
}
