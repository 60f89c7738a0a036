import { execFileSync } from 'node:child_process';
import { defineConfig, type Plugin } from 'vite';

// `npm run dev` only: plays the platform's backend, which mints a session token for its signed-in
// user. Here the user belongs to CAPITAL_EXAMPLE_ACCOUNT, and the token comes from the reference
// backend's `token` subcommand, signed with the CAPITAL_IDENTITY_SECRET the backend runs with
// (README, "Identity"). A real platform mints it in its own backend, after its own sign-in.
const platformSessionToken: Plugin = {
  name: 'platform-session-token',
  configureServer(server) {
    server.middlewares.use('/platform/session-token', (_request, response) => {
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
    });
  },
};

export default defineConfig({
  plugins: [platformSessionToken],
  // The element loads its wasm with `new URL(…, import.meta.url)`: the build emits it as an asset,
  // but the dev server's pre-bundling would move the module away from it.
  optimizeDeps: { exclude: ['capital-offer-tile'] },
  // `npm run dev` beside the reference backend (`cargo run -p capital-platform -- serve --identity
  // token`): the element's routes go to it, with the token the plugin above minted.
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
    },
  },
});
