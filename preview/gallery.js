// The preview gallery's own script, a file rather than inline so that the gallery runs under a
// strict Content-Security-Policy (`script-src 'self'`), as a platform's dashboard may.

// The stand-in backend for the POST routes (see preview-backend.js).
navigator.serviceWorker?.register('./preview-backend.js');

addEventListener('DOMContentLoaded', () => {
  // The loading example needs the stand-in to answer its request, so it starts once the
  // stand-in controls the page.
  const addLoadingExample = () => {
    const tile = Object.assign(document.createElement('capital-offer-tile'), { id: 'loading-tile' });
    tile.setAttribute('api-base', './fixtures/loading');
    tile.setAttribute('delivery', 'manual');
    // The fixtures are files: nothing changes them, so no live stream is followed.
    tile.setAttribute('live', 'off');
    document.getElementById('loading-example').prepend(tile);
  };
  if (navigator.serviceWorker?.controller) addLoadingExample();
  else navigator.serviceWorker?.addEventListener('controllerchange', addLoadingExample, { once: true });

  // Text only: markup in a value is shown as text, never parsed.
  document.getElementById('strings-example').strings = {
    'offer.heading.newly_eligible': 'Financing for your rides, through Stripe Capital',
    'offer.cta': 'Check my offer',
  };
});
