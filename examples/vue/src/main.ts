import { createApp } from 'vue';
import CapitalSection from './CapitalSection.vue';

createApp(CapitalSection).mount('#app');
