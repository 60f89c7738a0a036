/** Where the browser reaches the element's routes: this app's origin, passed on by proxy.ts. */
export const API_BASE = '/api/capital';

/** Where this server reaches the reference backend (CAPITAL_BACKEND_URL, read at each use). */
export function backendUrl(): string {
  return process.env.CAPITAL_BACKEND_URL ?? 'http://127.0.0.1:3000';
}
