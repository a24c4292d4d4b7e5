import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServeOptions {
  /** Printed as `[name] listening on <url>`, the line the bench waits for. */
  readonly name: string;
  readonly port: number;
  readonly host: string;
  /** Appended to the printed URL. @default '' */
  readonly path?: string;
  /** Runs once the server has closed, before the process exits. @default nothing */
  readonly dispose?: () => Promise<void> | void;
}

/**
 * Listens, prints the listening line, and exits cleanly on SIGTERM, SIGINT or when
 * the bench that started the process goes away, however it ended.
 */
export function serveUntilStopped(server: Server, options: ServeOptions): void {
  server.listen(options.port, options.host, () => {
    const { address, port } = server.address() as AddressInfo;
    console.log(`[${options.name}] listening on http://${address.includes(':') ? `[${address}]` : address}:${port}${options.path ?? ''}`);
  });
  const stop = (): void => {
    server.close(() => void Promise.resolve(options.dispose?.()).finally(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (process.send !== undefined) process.on('disconnect', stop);
}
