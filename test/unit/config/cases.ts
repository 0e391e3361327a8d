import * as fs from 'node:fs';
import * as path from 'node:path';

export const CASES_DIR = path.resolve(__dirname, '../../../../shared/contracts/config-cases');
export const TEMPLATE = path.resolve(__dirname, '../../../../shared/contracts/config.toml.template');

export function caseNames(filter: (dir: string) => boolean = () => true): string[] {
  return fs
    .readdirSync(CASES_DIR)
    .filter((c) => fs.statSync(path.join(CASES_DIR, c)).isDirectory())
    .filter((c) => filter(path.join(CASES_DIR, c)))
    .sort();
}

export function readCase(name: string, file: string): string {
  return fs.readFileSync(path.join(CASES_DIR, name, file), 'utf8');
}
