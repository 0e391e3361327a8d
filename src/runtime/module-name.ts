/**
 * What a module name may be, checked once where a name enters (an API path, a ModuleSpec, a
 * manifest): a module's container carries its name, so Docker's container-name grammar, and at
 * most IoT Hub's 128 characters for a module id. Such a name can never leave a URL path segment
 * or a directory. A module id (workload paths, hub identities) may add upstream's `$` prefix
 * (`$edgeAgent`).
 */
import { BadRequestError } from '../errors';

export const MODULE_NAME_MAX_LENGTH = 128;
const MODULE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NAME_RULE = `2 to ${MODULE_NAME_MAX_LENGTH} letters, digits, "_", "." or "-", starting with a letter or digit`;

/** Why `name` is not a module name, or undefined when it is one. */
export function moduleNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is empty';
  if (name.length > MODULE_NAME_MAX_LENGTH) return `is ${name.length} characters long (at most ${MODULE_NAME_MAX_LENGTH})`;
  if (!MODULE_NAME.test(name)) return `is not ${NAME_RULE}`;
  return undefined;
}

export function isModuleName(name: unknown): name is string {
  return moduleNameProblem(name) === undefined;
}

/** The name, or a 400 naming the problem (the name itself shown shortened and escaped: it may be hostile). */
export function checkModuleName(name: unknown, what = 'module name'): string {
  const problem = moduleNameProblem(name);
  if (problem) throw new BadRequestError(`invalid ${what} ${quoteName(name)}: it ${problem}`, { hint: `use ${NAME_RULE}` });
  return name as string;
}

/** A module id: a module name, optionally with upstream's `$` prefix (`$edgeHub`). */
export function checkModuleId(id: string): string {
  checkModuleName(id.startsWith('$') ? id.slice(1) : id);
  return id;
}

/** A generation id as IoT Hub issues it (digits); letters, "_", "." and "-" are let through too. */
export function checkGenerationId(genid: string): string {
  if (genid.length > MODULE_NAME_MAX_LENGTH || !/^[a-zA-Z0-9_.-]+$/.test(genid) || /^\.+$/.test(genid)) {
    throw new BadRequestError(`invalid generation id ${quoteName(genid)}`, { hint: 'use the module\'s generation id as IoT Hub gives it' });
  }
  return genid;
}

/** JSON-quoted, at most 40 characters of it: a hostile name neither floods a log line nor breaks it. */
export function quoteName(name: unknown): string {
  const s = typeof name === 'string' ? name : String(name);
  return s.length > 40 ? `${JSON.stringify(s.slice(0, 40)).slice(0, -1)}..." (${s.length} characters)` : JSON.stringify(s);
}
