/**
 * What the appliance sends, validated at the edge. The schemas are tolerant on purpose: real
 * appliances differ by version (sizes as strings, fields that come and go, destinations nobody
 * documented), and one odd field must not cost the whole record. Only what a record cannot be
 * understood without (an id and a time) is strict; everything else degrades to null.
 */
import { z } from 'zod';

const lenientText = z.string().nullish().catch(null);
const lenientBoolean = z.boolean().nullish().catch(null);
/** int64 in the OpenAPI document, "string" in the v1 table: accept both, judge later. */
const lenientSize = z.union([z.number(), z.string()]).nullish().catch(null);
const lenientLinks = z
  .record(z.string(), z.object({ href: z.string().nullish() }).nullish().catch(null))
  .nullish()
  .catch(null);

/** One restore point of any collection and version: the union of the fields the bot reads. */
export const wireRestorePoint = z.object({
  id: z.union([z.string().min(1), z.number().transform(String)]),
  pointInTime: z.string(),
  backupSizeBytes: lenientSize,
  sizeInBytes: lenientSize,
  backupDestination: lenientText,
  type: lenientText,
  isCorrupted: lenientBoolean,
  state: lenientText,
  jobSessionId: z.union([z.string(), z.number().transform(String)]).nullish().catch(null),
  immutableTill: lenientText,
  vmName: lenientText,
  databaseName: lenientText,
  sqlServerName: lenientText,
  fileShareName: lenientText,
  accountName: lenientText,
  accessTier: lenientText,
  databaseId: lenientText,
  fileShareId: lenientText,
  accountId: lenientText,
  _links: lenientLinks,
});
export type WireRestorePoint = z.infer<typeof wireRestorePoint>;

/** The paging envelope. Records stay unknown here: each is validated on its own. */
export const wirePage = z.object({
  offset: z.number().nullish(),
  limit: z.number().nullish(),
  totalCount: z.number().nullish(),
  results: z.array(z.unknown()),
});
export type WirePage = z.infer<typeof wirePage>;

export const wireToken = z.object({
  access_token: z.string().min(1).nullish(),
  refresh_token: z.string().min(1).nullish(),
  token_type: z.string().nullish(),
  expires_in: z.number().nullish(),
  mfa_enabled: z.boolean().nullish(),
  mfa_token: z.string().nullish(),
  roleName: z.string().nullish(),
});
export type WireToken = z.infer<typeof wireToken>;

export const wireAbout = z.object({
  serverVersion: z.string().nullish(),
  workerVersion: z.string().nullish(),
});
export type WireAbout = z.infer<typeof wireAbout>;

export const wireJobSession = z.object({
  id: z.union([z.string(), z.number().transform(String)]).nullish(),
  type: lenientText,
  localizedType: lenientText,
  status: z.string().nullish().catch(null),
  executionStartTime: lenientText,
  executionStopTime: lenientText,
  /** A .NET time span ("00:03:12.1234567", "1.02:03:04") or, in some versions, milliseconds. */
  executionDuration: z.union([z.string(), z.number()]).nullish().catch(null),
  backupJobInfo: z
    .object({
      policyName: lenientText,
      protectedInstancesCount: z.number().nullish().catch(null),
    })
    .nullish()
    .catch(null),
});
export type WireJobSession = z.infer<typeof wireJobSession>;

/** RFC 7807 problem details as the appliance sends them (all optional: trust nothing). */
export const wireProblem = z.object({
  type: z.string().nullish(),
  title: z.string().nullish(),
  status: z.number().nullish(),
  detail: z.string().nullish(),
  traceId: z.string().nullish(),
  licenseAgreementAcceptanceRequired: z.boolean().nullish(),
  errors: z.record(z.string(), z.unknown()).nullish(),
});
export type WireProblem = z.infer<typeof wireProblem>;

/** A VM of the inventory (`/virtualMachines`); one without an id or name cannot be listed. */
export const wireVirtualMachine = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  azureId: lenientText,
  resourceGroupName: lenientText,
  subscriptionName: lenientText,
  subscriptionId: lenientText,
  isDeleted: lenientBoolean,
});
export type WireVirtualMachine = z.infer<typeof wireVirtualMachine>;

/** A VM with backups (`/protectedItem/virtualMachines`, v8.1 ProtectedVirtualMachine): when it was last backed up. */
export const wireProtectedVm = z.object({ id: lenientText, azureId: lenientText, name: lenientText, lastBackup: lenientText });

/** What a backup session processed (`/jobSessions/{id}/protectedItems`), with each run's status. */
export const wireProtectedItem = z.object({
  resource: z
    .object({ id: lenientText, name: lenientText, displayName: lenientText })
    .nullish()
    .catch(null),
  runs: z
    .array(z.object({ jobSessionId: lenientText, status: lenientText }).catch({ jobSessionId: null, status: null }))
    .nullish()
    .catch(null),
  failureCount: z.number().nullish().catch(null),
});
export type WireProtectedItem = z.infer<typeof wireProtectedItem>;

/** A session's log (`/jobSessions/{id}/log`). */
export const wireSessionLog = z.object({
  log: z
    .array(z.object({ logTime: lenientText, status: lenientText, message: lenientText }).catch({ logTime: null, status: null, message: null }))
    .nullish()
    .catch(null),
});
export type WireSessionLog = z.infer<typeof wireSessionLog>;
