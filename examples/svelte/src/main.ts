import { mount } from 'svelte';
import CapitalSection from './CapitalSection.svelte';

mount(CapitalSection, { target: document.getElementById('app')! });
