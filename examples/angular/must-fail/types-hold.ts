// Must not type-check: scripts/expect-type-errors.mjs compiles this folder with ngc and requires
// an error on each template line after a `must fail` comment, and on no other line, so the
// element's types reach Angular's templates (which have no `@ts-expect-error`). The class's own
// lines use `@ts-expect-error`: ngc checks templates only once the TypeScript is clean.
import { CUSTOM_ELEMENTS_SCHEMA, Component, type ElementRef, viewChild } from '@angular/core';
import 'capital-offer-tile';
import type { CapitalOfferErrorEvent, CapitalOfferTile } from 'capital-offer-tile';

@Component({
  selector: 'types-hold',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <!-- must fail: the loaded event's detail has no amount -->
    <capital-offer-tile (capital-offer-loaded)="amount = $event.detail.amount"></capital-offer-tile>
    <!-- must fail: a loaded event is not an error event -->
    <capital-offer-tile (capital-offer-loaded)="onError($event)"></capital-offer-tile>
  `,
})
export class TypesHold {
  protected amount = 0;
  protected readonly tile = viewChild.required<ElementRef<CapitalOfferTile>>('tile');

  protected onError(event: CapitalOfferErrorEvent): void {
    console.error(event.detail.message);
  }

  protected misuse(): void {
    // @ts-expect-error: 'sideways' is not a layout
    this.tile().nativeElement.layout = 'sideways';
    // @ts-expect-error: copy is text
    this.tile().nativeElement.strings = { 'offer.cta': 42 };
  }
}
