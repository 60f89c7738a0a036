import { bootstrapApplication } from '@angular/platform-browser';
import { CapitalSection } from './capital-section';

bootstrapApplication(CapitalSection).catch((error: unknown) => console.error(error));
