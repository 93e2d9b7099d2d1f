import '../polyfill.cjs';
