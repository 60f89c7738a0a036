// `npm run dev` only, shared by the example apps' dev servers: plays the platform's backend,
// which mints a session token for its signed-in user. Here the user belongs to
// CAPITAL_EXAMPLE_ACCOUNT, and the token comes from the reference backend's `token` subcommand,
// signed with the CAPITAL_IDENTITY_SECRET the backend runs with (README, "Identity"). A real
// platform mints it in its own backend, after its own sign-in. Plain JavaScript, so that Vite's
// configs and the Angular CLI's proxy configuration can both import it.
import { execFileSync } from 'node:child_process';

/** Answers `GET /platform/session-token` with `{ "token": "…" }`. */
export function serveSessionToken(_request, response) {
  const account = process.env.CAPITAL_EXAMPLE_ACCOUNT ?? 'acct_1SunsetBakery';
  try {
    const token = execFileSync(
      'cargo',
      ['run', '-q', '-p', 'capital-platform', '--', 'token', '--account', account, '--ttl-seconds', '600'],
      { cwd: '../..', encoding: 'utf8' },
    ).trim();
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ token }));
  } catch {
    response.statusCode = 500;
    response.end('{"error":"set CAPITAL_IDENTITY_SECRET to the backend\'s --identity-secret"}');
  }
}

/** The same route in Vite's dev server. */
export const platformSessionToken = {
  name: 'platform-session-token',
  configureServer(server) {
    server.middlewares.use('/platform/session-token', serveSessionToken);
  },
};

/** The element's routes go to the reference backend (`cargo run -p capital-platform -- serve
 * --identity token`), with the token minted above. */
export const backend = 'http://127.0.0.1:3000';
export const backendProxy = { '/api': backend };
