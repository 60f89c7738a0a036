import { defineConfig } from 'vite';

export default defineConfig({
  // The element loads its wasm with `new URL(…, import.meta.url)`: the build emits it as an asset,
  // but the dev server's pre-bundling would move the module away from it.
  optimizeDeps: { exclude: ['capital-offer-tile'] },
  // `npm run dev` beside the reference backend (`cargo run -p capital-platform`): the element's
  // routes and the sandbox's sign-in go to it.
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/sign-in': 'http://127.0.0.1:3000',
    },
  },
});
