// The widgets this package gives Dashboard 2 (package.json "node-red-dashboard-2"): built by
// scripts/build.js (Vite, ui/vite.config.mjs) into resources/ui-link-visual-events.umd.js.
export { default as UILinkVisualEvents } from './components/UILinkVisualEvents.vue'
