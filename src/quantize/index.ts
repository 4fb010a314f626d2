// The quantizer's surface for the downloader and the CLI: float Whisper graphs to the int8 / q4 files the build
// toolchain makes, on the user's machine; and the check that refuses the hub's dynamically quantized graphs.
export { findDynamicQuantization, DYNAMIC_QUANTIZATION_OPS } from './dynamicOps';
export { quantizeModelFolder, type QuantizeOptions, type QuantizeProgress, type QuantizeResult } from './quantizeFolder';
export type { QuantizedPrecision } from './recipe';
export { quantizeInWorker } from './quantizeInWorker';
