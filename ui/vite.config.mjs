// Vite library build of the Dashboard 2 widget (run by scripts/build.js): one UMD file in resources/,
// global name = the widget type (Dashboard 2 looks the component up as window[type][component]),
// Vue left to the dashboard's own copy, the components' CSS injected by the bundle itself.
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const WIDGET = 'ui-link-visual-events'
const here = (relative) => fileURLToPath(new URL(relative, import.meta.url))

// Lib mode writes CSS to a separate file the dashboard would never load: move it into the script.
function injectCss () {
    return {
        name: 'link-visual-inject-css',
        apply: 'build',
        enforce: 'post',
        generateBundle (_options, bundle) {
            const css = Object.keys(bundle).filter((name) => name.endsWith('.css'))
            const text = css.map((name) => bundle[name].source).join('\n')
            for (const name of css) delete bundle[name]
            const chunk = Object.values(bundle).find((item) => item.type === 'chunk' && item.isEntry)
            if (!chunk || !text) return
            const inject = `(function(){if(typeof document==='undefined')return;var s=document.createElement('style');s.setAttribute('data-widget',${JSON.stringify(WIDGET)});s.textContent=${JSON.stringify(text)};document.head.appendChild(s)})();\n`
            chunk.code = inject + chunk.code
        }
    }
}

export default defineConfig({
    root: here('.'),
    logLevel: 'warn',
    plugins: [vue(), injectCss()],
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
        outDir: here('../resources'),
        emptyOutDir: false,
        lib: {
            entry: here('./index.js'),
            name: WIDGET,
            formats: ['umd'],
            fileName: () => `${WIDGET}.umd.js`
        },
        rollupOptions: {
            external: ['vue'],
            output: { globals: { vue: 'Vue' } }
        }
    }
})
