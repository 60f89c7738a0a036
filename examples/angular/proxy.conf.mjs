// `ng serve` beside the reference backend: the element's routes go to it, and the platform's
// session-token route is answered here (../platform-session-token.mjs), as Vite's dev server
// does for the other examples. The Angular CLI hands this to Vite's proxy, whose `bypass` may
// answer a request itself.
import { backend, serveSessionToken } from '../platform-session-token.mjs';

export default {
  '/api': { target: backend },
  '/platform/session-token': {
    target: backend,
    bypass(request, response) {
      serveSessionToken(request, response);
      return request.url;
    },
  },
};
