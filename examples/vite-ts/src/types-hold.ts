// Never imported: `tsc --noEmit` (in the test command) checks that each line under
// `@ts-expect-error` fails to type-check. If the package's types were `any`, these lines would
// compile, the directives would be unused, and tsc would fail.
import type { CapitalOfferTile } from 'capital-offer-tile';

export function typesHold(tile: CapitalOfferTile): void {
  // @ts-expect-error: 'sideways' is not a layout
  tile.layout = 'sideways';
  // @ts-expect-error: the loaded event's detail has no amount
  tile.addEventListener('capital-offer-loaded', (event) => event.detail.amount);
  // @ts-expect-error: an error's kind is one of five words
  tile.addEventListener('capital-offer-error', (event) => event.detail.kind === 'timeout');
  // @ts-expect-error: reload takes nothing and returns nothing
  const reloaded: Promise<void> = tile.reload();
  // @ts-expect-error: copy is text, not markup objects
  tile.strings = { 'offer.cta': { html: '<b>Apply</b>' } };
  // @ts-expect-error: the session token comes from a function, not as a string
  tile.fetchSessionToken = 'eyJhbGciOiJIUzI1NiJ9.e30.x';
  // @ts-expect-error: the function's promise is of the token's text
  tile.fetchSessionToken = async () => ({ token: 'x' });
  void reloaded;
}
