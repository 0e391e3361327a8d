/**
 * The management API versions upstream accepts, oldest first, and from which one each route that
 * is not in every version exists (read from ../shared/contracts/edged-api/managementVersion_*.yaml;
 * the contract test checks this table against the files).
 */
export const MANAGEMENT_API_VERSIONS = [
  '2018-06-28',
  '2019-01-30',
  '2019-10-22',
  '2019-11-05',
  '2020-07-07',
  '2021-12-07',
  '2022-08-03',
] as const;

export type ManagementApiVersion = (typeof MANAGEMENT_API_VERSIONS)[number];

/** The version the CLI and edgeAgent use by default. */
export const DEFAULT_MANAGEMENT_API_VERSION: ManagementApiVersion = '2022-08-03';

export const SINCE = {
  prepareUpdate: '2019-01-30',
  reprovision: '2019-10-22',
  systemResources: '2019-11-05',
  supportBundle: '2020-07-07',
} as const satisfies Record<string, ManagementApiVersion>;
