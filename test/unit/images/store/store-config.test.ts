import * as path from 'node:path';
import { ConfigError } from '../../../../src/errors';
import { LocalDirectoryStore } from '../../../../src/images/store/local-store';
import { S3Store } from '../../../../src/images/store/s3-store';
import { openStore, parseStoreUrl } from '../../../../src/images/store/store-config';

describe('parseStoreUrl', () => {
  it('takes a directory, relative or absolute, or a file: URL as the local store', () => {
    expect(parseStoreUrl('/var/lib/images')).toEqual({ kind: 'local', root: '/var/lib/images' });
    expect(parseStoreUrl('data/images')).toEqual({ kind: 'local', root: path.resolve('data/images') });
    expect(parseStoreUrl('file:///srv/my%20images')).toEqual({ kind: 'local', root: '/srv/my images' });
  });

  it('takes s3://bucket/prefix with the endpoint, region and part size from the URL or the environment', () => {
    expect(parseStoreUrl('s3://fleet-images')).toEqual({
      kind: 's3', bucket: 'fleet-images', prefix: '', region: 'us-east-1', endpoint: undefined, forcePathStyle: false, partSize: 8 * 1024 * 1024,
    });
    expect(parseStoreUrl('s3://fleet-images/prod/eu', { AWS_REGION: 'eu-west-1' })).toMatchObject({ prefix: 'prod/eu/', region: 'eu-west-1' });
    expect(parseStoreUrl('s3://bk1/p/?endpoint=http://127.0.0.1:9000&region=local&part-size-mib=16')).toEqual({
      kind: 's3', bucket: 'bk1', prefix: 'p/', region: 'local', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, partSize: 16 * 1024 * 1024,
    });
    expect(parseStoreUrl('s3://bk1', { AWS_ENDPOINT_URL_S3: 'https://s3.example.test' })).toMatchObject({ endpoint: 'https://s3.example.test', forcePathStyle: true });
    expect(parseStoreUrl('s3://bk1?endpoint=https://h:1&path-style=0')).toMatchObject({ forcePathStyle: false });
  });

  it.each([
    ['', 'it is empty'],
    ['s3://user:secret@bucket/x', 'credentials do not belong in the store URL'],
    ['s3://B/x', 'is not an S3 bucket name'],
    ['s3://bucket?colour=blue', 'unknown parameter "colour" (known: endpoint, region, path-style, part-size-mib)'],
    ['s3://bucket?endpoint=ftp://h', 'is not http(s)://HOST[:PORT]'],
    ['s3://bucket?part-size-mib=4', 'part-size-mib is a whole number from 5 to 512'],
    ['s3://bucket?path-style=maybe', 'path-style is 1 or 0'],
    ['http://bucket/x', 'http is not a store kind (file or s3)'],
    ['file://host/dir', 'a file: URL is a local directory'],
  ])('refuses %j in one line saying why', (text, why) => {
    const e = (() => {
      try {
        parseStoreUrl(text);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain(why);
    expect((e as Error).message).not.toContain('secret');
    expect((e as ConfigError).hint).toMatch(/^give a directory/);
  });
});

describe('openStore', () => {
  it('opens the store the config names', () => {
    expect(openStore({ kind: 'local', root: '/tmp/x' })).toBeInstanceOf(LocalDirectoryStore);
    expect(openStore(parseStoreUrl('s3://bk1?endpoint=http://127.0.0.1:1'))).toBeInstanceOf(S3Store);
  });

  it('refuses a prefix that does not end in / and a part below S3 minimum', () => {
    const client = {} as never;
    expect(() => new S3Store({ client, bucket: 'b', prefix: 'p' })).toThrow('must end in `/`');
    expect(() => new S3Store({ client, bucket: 'b', prefix: '../' })).toThrow('`..` segment');
    expect(() => new S3Store({ client, bucket: 'b', partSize: 1024 })).toThrow("below S3's minimum of 5 MiB");
  });
});
