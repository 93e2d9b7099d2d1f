/**
 * The benchmark shapes of shared/BENCH.md (NCHW input, OIHW weight), shared by every engine's
 * bench runner. GFLOP/s = 2·N·Cout·∏out·(Cin/groups)·∏kernel / s; backward (input + weight
 * gradients) counts twice that.
 */
export const SHAPES = {
    A: { what: 'ResNet stage-1 3×3', x: [1, 64, 56, 56], w: [64, 64, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 },
    B: { what: 'ResNet stem 7×7/2', x: [1, 3, 224, 224], w: [64, 3, 7, 7], stride: [2, 2], padding: [3, 3], dilation: [1, 1], groups: 1 },
    C: { what: 'CIFAR-sized batch', x: [8, 32, 32, 32], w: [64, 32, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 },
    D: { what: 'dilated', x: [1, 256, 14, 14], w: [256, 256, 3, 3], stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 1 },
    E: { what: 'depthwise', x: [1, 128, 28, 28], w: [128, 1, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 128 },
    F: { what: 'conv1d, L=1000', x: [4, 16, 1000], w: [32, 16, 9], stride: [1], padding: [4], dilation: [1], groups: 1 },
    G: { what: 'gradient-check sized', x: [2, 3, 17, 23], w: [4, 3, 5, 8], stride: [3, 4], padding: [6, 8], dilation: [1, 1], groups: 1 },
};

export function outSize(s) {
    return s.x.slice(2).map((n, i) => Math.floor((n + 2 * s.padding[i] - s.dilation[i] * (s.w[i + 2] - 1) - 1) / s.stride[i]) + 1);
}

export function forwardFlops(s) {
    const out = outSize(s).reduce((a, b) => a * b, 1);
    const k = s.w.slice(2).reduce((a, b) => a * b, 1);
    return 2 * s.x[0] * s.w[0] * out * (s.x[1] / s.groups) * k;
}

/** Deterministic pseudo-random fill in [-1, 1) (values do not affect timings; no Math.random). */
export function fill(array, seed = 1) {
    let state = seed >>> 0;
    for (let i = 0; i < array.length; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        array[i] = state / 2147483648 - 1;
    }
    return array;
}

/**
 * The clock of a measurement: 'wall' (performance.now) or 'cpu' (this process's user + system
 * time, all threads): on a machine shared with other work, CPU time of a single-threaded engine
 * stays close to its unloaded wall time; for multi-threaded runs only wall time means anything.
 */
export function clock(kind = 'wall') {
    if (kind === 'cpu') {
        return () => {
            const u = process.cpuUsage();
            return (u.user + u.system) / 1000;
        };
    }
    return () => performance.now();
}

/** A sample lasts at least this long: fast calls are repeated within one sample (clock granularity). */
const SAMPLE_MS = 20;

/**
 * Times fn: a warm-up run (two when cheap), then `runs` timed samples — more for fast functions
 * (up to 3×runs within a quarter of the budget). A sample repeats fn until it lasts ≥ 20 ms (the
 * CPU clock ticks coarsely; the wall clock is noisy at microseconds) and yields the time per
 * call. When `runs` single runs would exceed the budget, the warm-up run counts as a sample and
 * only as many more are taken as fit (the result says how many: such very slow configurations
 * are marked in the table). Returns the median ms per call.
 */
export function time(fn, { runs = 5, budgetMs = 20000, clockKind = 'wall' } = {}) {
    const now = clock(clockKind);
    const w0 = performance.now();
    const t0 = now();
    fn();
    const first = Math.max(now() - t0, performance.now() - w0);
    const ts = [];
    let count;
    if (first * runs > budgetMs) {
        ts.push(first);
        count = Math.max(0, Math.floor((budgetMs - first) / first));
    } else {
        fn();
        count = Math.max(runs, Math.min(3 * runs, Math.floor(budgetMs / 4 / Math.max(first, SAMPLE_MS))));
    }
    const reps = Math.max(1, Math.ceil(SAMPLE_MS / Math.max(first, 1e-3)));
    for (let i = 0; i < count; i++) {
        const t = now();
        for (let r = 0; r < reps; r++) fn();
        ts.push((now() - t) / reps);
    }
    return { ms: median(ts), runs: ts.length, reps, clock: clockKind };
}

/** The same for a function returning a promise. */
export async function timeAsync(fn, { runs = 5, budgetMs = 20000, clockKind = 'wall' } = {}) {
    const now = clock(clockKind);
    const w0 = performance.now();
    const t0 = now();
    await fn();
    const first = Math.max(now() - t0, performance.now() - w0);
    const ts = [];
    let count;
    if (first * runs > budgetMs) {
        ts.push(first);
        count = Math.max(0, Math.floor((budgetMs - first) / first));
    } else {
        await fn();
        count = Math.max(runs, Math.min(3 * runs, Math.floor(budgetMs / 4 / Math.max(first, SAMPLE_MS))));
    }
    const reps = Math.max(1, Math.ceil(SAMPLE_MS / Math.max(first, 1e-3)));
    for (let i = 0; i < count; i++) {
        const t = now();
        for (let r = 0; r < reps; r++) await fn();
        ts.push((now() - t) / reps);
    }
    return { ms: median(ts), runs: ts.length, reps, clock: clockKind };
}

export function median(values) {
    const ts = [...values].sort((a, b) => a - b);
    const mid = ts.length >> 1;
    return ts.length % 2 ? ts[mid] : (ts[mid - 1] + ts[mid]) / 2;
}
