/** What every hook is given: injected, so hooks run in tests against a temp dir and a fake snapctl. */
import type { Logger } from '../../util/log';
import type { SnapPaths } from '../paths';
import type { Snapctl } from '../snapctl';

export interface HookDeps {
  snapctl: Snapctl;
  paths: SnapPaths;
  snapName: string;
  logger: Logger;
  /** The machine's host name, for the default config. */
  hostname: string;
}
