/**
 * Which paths each API version serves. Version differences end here: past the client, every
 * version looks the same.
 */
import type { WorkloadKind } from '../restore-points/model.ts';

/** Newest first: auto-detection walks this list and keeps the first the appliance serves. */
export const API_VERSIONS = ['v8.1', 'v8', 'v7', 'v6', 'v5', 'v4', 'v3', 'v2', 'v1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export function isApiVersion(value: string): value is ApiVersion {
  return (API_VERSIONS as readonly string[]).includes(value);
}

export interface Collection {
  /** Relative to /api/{version}/. */
  readonly path: string;
  readonly kind: WorkloadKind;
  /** Tried when `path` answers 404: v4…v6 moved VM points without saying which version did. */
  readonly fallbackPath?: string;
  /** A 404 means "this appliance has no such collection", not an error. */
  readonly optional: boolean;
  /** The records name no destination: their type (Continuous) stands for it. */
  readonly destinationFromType?: boolean;
}

const LEGACY_VMS: Collection = { path: 'restorePoints', kind: 'vm', optional: false };
const VMS: Collection = { path: 'restorePoints/virtualMachines', kind: 'vm', optional: false };
const VMS_MOVING: Collection = { ...VMS, fallbackPath: 'restorePoints' };
const SQL: Collection = { path: 'restorePoints/sql', kind: 'sql', optional: true };
const FILE_SHARES: Collection = { path: 'restorePoints/fileShares', kind: 'fileShare', optional: true };
const COSMOS_REPOSITORY: Collection = { path: 'restorePoints/cosmosDb/repository', kind: 'cosmosDb', optional: true };
const COSMOS_CONTINUOUS: Collection = { path: 'restorePoints/cosmosDb/continuous', kind: 'cosmosDb', optional: true, destinationFromType: true };

export function collectionsOf(version: ApiVersion): readonly Collection[] {
  switch (version) {
    case 'v1':
    case 'v2':
      return [LEGACY_VMS];
    case 'v3':
      return [LEGACY_VMS, SQL];
    case 'v4':
    case 'v5':
    case 'v6':
      return [VMS_MOVING, SQL, FILE_SHARES];
    case 'v7':
    case 'v8':
    case 'v8.1':
      return [VMS, SQL, FILE_SHARES, COSMOS_REPOSITORY, COSMOS_CONTINUOUS];
  }
}
