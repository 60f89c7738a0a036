import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CapitalSection } from './CapitalSection';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CapitalSection />
  </StrictMode>,
);
