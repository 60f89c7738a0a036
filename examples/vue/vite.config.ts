import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { backendProxy, platformSessionToken } from '../platform-session-token.mjs';

export default defineConfig({
  plugins: [
    vue({
      template: {
        compilerOptions: {
          // <capital-offer-tile> is a custom element, not a Vue component: Vue creates it as an
          // element, sets what the element has as a property (`strings`, `fetchSessionToken`),
          // the rest as attributes, and listens to its events.
          isCustomElement: (tag) => tag === 'capital-offer-tile',
        },
      },
    }),
    platformSessionToken,
  ],
  // The element loads its wasm with `new URL(…, import.meta.url)`: the build emits it as an asset,
  // but the dev server's pre-bundling would move the module away from it.
  optimizeDeps: { exclude: ['capital-offer-tile'] },
  // `npm run dev` beside the reference backend (../platform-session-token.mjs).
  server: { proxy: backendProxy },
});
