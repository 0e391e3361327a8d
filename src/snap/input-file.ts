/**
 * Files named by options (cs-file, deployment-file), read as root: must be a regular file and
 * small. The descriptor is checked after opening, so a swap between check and read cannot pass.
 * Errors name the file and the problem, never the content.
 */
import { constants, promises as fs } from 'node:fs';
import { OptionError } from './errors';

export async function readInputFile(option: string, file: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be opened (${code})`;
    throw new OptionError(`${option}: ${file} ${why}`, {
      // Not /etc: strict confinement denies the hook most of the host's /etc.
      hint: 'give a file under /root, /home/<user> or /var/snap/azure-iot-edge/common (the hook does not see /tmp)',
      cause: e,
    });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new OptionError(`${option}: ${file} is not a regular file`);
    if (st.size > maxBytes) throw new OptionError(`${option}: ${file} is larger than ${maxBytes} bytes`);
    const buf = await handle.readFile();
    if (buf.length > maxBytes) throw new OptionError(`${option}: ${file} is larger than ${maxBytes} bytes`);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}
