import { defineConfig } from 'vite';

// The built console is a classpath resource of this module's jar: http's ConsoleRoutes serves index.html at /
// (no-cache) and assets/* (content-hashed names, cached for a year). No CDN, no external fonts.
export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'target/classes/io/sensorfleet/console',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/instruments': 'http://127.0.0.1:8080' } },
});
