// Never imported: `tsc --noEmit` (in the test command) checks that each line under
// `@ts-expect-error` fails to type-check, so the element's types reach this app and are not `any`.
import type { CapitalOfferTile } from 'capital-offer-tile/react';

export function typesHold(tile: CapitalOfferTile) {
  // @ts-expect-error: the session token comes from a function, not as a string
  tile.fetchSessionToken = 'eyJhbGciOiJIUzI1NiJ9.e30.x';
  tile.addEventListener('capital-offer-loaded', (event) => {
    // @ts-expect-error: the loaded event's detail has no amount
    void event.detail.amount;
  });
  return [
    // @ts-expect-error: 'sideways' is not a layout
    <capital-offer-tile layout="sideways" />,
  ];
}
