// The preview gallery's stand-in for a platform backend (gallery only; never part of the embed
// folder). The fixture folders answer `GET …/offer` as static files; this service worker answers
// the two POST routes the same way a platform backend would, so the buttons work in the preview:
// a fresh Account Link per click, pointing at a placeholder for Stripe's hosted page.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

let links = 0;

/** How long the gallery's loading example waits for its answer. */
const LOADING_EXAMPLE_MS = 12_000;

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  // The gallery's loading example: the standard offer, answered slowly, so the skeleton shows.
  if (event.request.method === 'GET' && url.pathname.endsWith('/fixtures/loading/offer')) {
    event.respondWith(
      new Promise((resolve) => setTimeout(resolve, LOADING_EXAMPLE_MS)).then(() =>
        fetch(new URL('../standard/offer', url)),
      ),
    );
    return;
  }
  if (event.request.method !== 'POST' || !url.pathname.includes('/fixtures/')) return;

  if (url.pathname.endsWith('/account_links')) {
    event.respondWith((async () => {
      const { type } = await event.request.json();
      const created = Math.floor(Date.now() / 1000);
      const page = new URL('./stripe-hosted-page.html', self.location);
      page.searchParams.set('type', type);
      page.searchParams.set('link', String(++links));
      return json({ object: 'account_link', created, expires_at: created + 300, url: page.href });
    })());
  } else if (url.pathname.endsWith('/offer/mark_delivered')) {
    event.respondWith((async () => {
      const state = await (await fetch(new URL('../offer', url))).json();
      return json({ ...state.offer, status: 'delivered' });
    })());
  }
});
