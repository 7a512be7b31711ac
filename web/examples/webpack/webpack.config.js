import HtmlWebpackPlugin from 'html-webpack-plugin'

// Nothing here is for the SDK: webpack 5 emits the files the package
// refers to with `new URL('./exponea.wasm', import.meta.url)` (and the
// worker alike) as assets by itself.
export default {
  mode: 'production',
  entry: './src/main.js',
  output: { clean: true, filename: '[name].[contenthash].js' },
  plugins: [new HtmlWebpackPlugin({ title: 'exponea-wasm in a webpack app' })],
  // webpack warns of any asset over 244 KiB; the SDK's wasm (4 MB, ~0.85 MB
  // with brotli) is fetched by its Worker after the page has loaded, so it
  // is left out of the page's size budget.
  performance: { assetFilter: (file) => !file.endsWith('.wasm') },
}
