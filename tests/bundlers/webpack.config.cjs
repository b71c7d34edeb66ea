// webpack 5: asset modules pick up the .wasm; top-level await is on by default.
const path = require('node:path');
module.exports = {
  mode: 'production',
  entry: './app.js',
  output: { path: path.resolve(__dirname, 'dist-webpack'), filename: 'app.js', publicPath: 'auto', clean: true },
  experiments: { outputModule: true },
  performance: { hints: false },
};
