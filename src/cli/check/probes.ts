/**
 * The real probes behind check's facts: the engine's diagnostics (injected), a TLS handshake and an SNTP
 * query with short timeouts, statfs for disk space. Each is replaced by a fake in unit tests.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { promises as fs } from 'node:fs';
import * as tls from 'node:tls';
import type { EngineDiagnostics } from '../../runtime/engine';
import { UnavailableError } from '../../errors';
import type { DiskSpace, EngineInfo, EngineProbe } from './types';

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** What check asks the engine, each answer within `timeoutMs`. */
export function engineProbe(engine: EngineDiagnostics, timeoutMs = 3000): EngineProbe {
  return {
    async info(): Promise<EngineInfo> {
      const i = await withTimeout(engine.info(), timeoutMs, 'container engine');
      return { serverVersion: String(i.ServerVersion ?? ''), rootDir: String(i.DockerRootDir ?? ''), loggingDriver: i.LoggingDriver as string | undefined, name: i.Name as string | undefined };
    },
    hasImage: (image: string): Promise<boolean> => withTimeout(engine.hasImage(image), timeoutMs, 'container engine'),
  };
}

export function tlsHandshake(timeoutMs = 2000) {
  return (host: string, port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, timeout: timeoutMs });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no TLS handshake within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.end();
        resolve();
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(e.code ? `${e.code}${e.code === 'ENOTFOUND' ? ' (the name does not resolve: offline or no DNS?)' : ''}` : e.message));
      });
    });
}

/** One SNTP query (RFC 4330): the server's transmit time. */
export function sntpTime(server = 'pool.ntp.org', timeoutMs = 2000, port = 123) {
  return (): Promise<Date> =>
    new Promise((resolve, reject) => {
      const sock = dgram.createSocket('udp4');
      const done = (f: () => void) => {
        clearTimeout(timer);
        sock.close();
        f();
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no answer from ${server} within ${timeoutMs / 1000} s`))), timeoutMs);
      sock.once('error', (e: NodeJS.ErrnoException) => done(() => reject(new Error(`${server}: ${e.code ?? e.message}`))));
      sock.once('message', (msg) => {
        if (msg.length < 48) return done(() => reject(new Error(`${server}: short answer`)));
        const seconds = msg.readUInt32BE(40) - 2208988800;
        const fraction = msg.readUInt32BE(44) / 2 ** 32;
        done(() => resolve(new Date((seconds + fraction) * 1000)));
      });
      const packet = Buffer.alloc(48);
      packet[0] = 0x1b; // LI 0, version 3, mode 3 (client)
      sock.send(packet, port, server);
    });
}

export async function statfsSpace(dir: string): Promise<DiskSpace> {
  const s = await fs.statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}
