// Never imported: `tsc --noEmit` (in the test command) checks that each line under
// `@ts-expect-error` fails to type-check, so the JSX types are not `any`.
import 'capital-offer-tile/react';

export const typesHold = [
  // @ts-expect-error: 'sideways' is not a layout
  <capital-offer-tile layout="sideways" />,
  // @ts-expect-error: the loaded event's detail has no amount
  <capital-offer-tile oncapital-offer-loaded={(event) => event.detail.amount} />,
  // @ts-expect-error: copy is text
  <capital-offer-tile strings={{ 'offer.cta': 42 }} />,
  // @ts-expect-error: the session token comes from a function, not as a string
  <capital-offer-tile fetchSessionToken="eyJhbGciOiJIUzI1NiJ9.e30.x" />,
];
