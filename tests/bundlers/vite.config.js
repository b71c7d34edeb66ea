// Vite: the module uses top-level await, so the build targets current browsers.
export default { build: { target: 'esnext', outDir: 'dist-vite', emptyOutDir: true }, logLevel: 'warn' };
