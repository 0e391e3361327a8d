/**
 * What the service keeps in the store, as JSON, so any instance sharing the store can answer:
 * one record per base and per image job. Keys are built here only.
 */
import type { BaseInfo } from '../base/inspect';
import type { DeviceSpec } from '../device/spec';
import type { InstanceRecord } from './instances';
import { JsonRecords } from '../store/json-records';
import type { ObjectStore } from '../store/object-store';
import { isObject } from '../../util/is-object';
import { EdgeError } from '../../errors';

export interface BaseRecord {
  sha256: string;
  name: string;
  /** Bytes of the file as registered (.img or .img.xz). */
  size: number;
  compressed: boolean;
  info: BaseInfo;
  created: string;
}

export type ImageStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired';

export interface ImageRecord {
  id: string;
  name: string;
  base: string;
  batch?: string;
  status: ImageStatus;
  /** The service instance that runs the job (src/images/service/instances.ts). */
  instance?: string;
  progress: number;
  created: string;
  updated: string;
  /** The image holds a device secret: it is deleted at expiresAt. */
  secret: boolean;
  expiresAt?: string;
  sha256?: string;
  size?: number;
  error?: string;
  files?: string[];
}

/** Objects beside the records: `bases/<sha256>.json` + `bases/<sha256>/base.img[.xz]`, `images/<id>.json` + `images/<id>/<name>.img.xz`. */
export const keys = {
  baseImage: (sha: string, compressed: boolean) => `bases/${sha}/base.img${compressed ? '.xz' : ''}`,
  image: (id: string, name: string) => `images/${id}/${name}.img.xz`,
} as const;

function shaped<T>(what: string, field: string) {
  return (v: unknown, id: string): T => {
    if (!isObject(v) || typeof v[field] !== 'string') throw new EdgeError(`the ${what} record ${id} in the image store is not one`, { hint: 'delete it' });
    return v as T;
  };
}

export interface Records {
  bases: JsonRecords<BaseRecord>;
  images: JsonRecords<ImageRecord>;
  /** A job's checked device, kept until the job has run (it holds the secrets the image gets). */
  inputs: JsonRecords<DeviceSpec>;
  instances: JsonRecords<InstanceRecord>;
}

export function records(store: ObjectStore): Records {
  return {
    bases: new JsonRecords<BaseRecord>(store, 'bases/', shaped('base', 'sha256')),
    images: new JsonRecords<ImageRecord>(store, 'images/', shaped('image', 'id')),
    inputs: new JsonRecords<DeviceSpec>(store, 'jobs/', shaped('job input', 'name')),
    instances: new JsonRecords<InstanceRecord>(store, 'instances/', shaped('instance', 'heartbeat')),
  };
}

export const ID = /^[0-9a-f]{32}$/;
export const SHA256 = /^[0-9a-f]{64}$/;
