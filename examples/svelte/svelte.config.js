// Svelte 5 compiles the TypeScript of `<script lang="ts">` itself: nothing to configure.
export default {};
