/** "Did you mean" suggestions by Damerau–Levenshtein distance. */
export function editDistance(a: string, b: string): number {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < cols; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
            d[i]![j] = best;
        }
    }
    return d[a.length]![b.length]!;
}

/**
 * The closest candidates to `name` (case-insensitive), best first; empty when nothing is close.
 * A candidate that starts with the typed name (or the reverse) counts as distance 1, but only
 * when the typed name has at least 3 characters: `B` must not suggest every `batch_norm*`.
 */
export function suggest(name: string, candidates: Iterable<string>, max = 3): string[] {
    const lower = name.toLowerCase();
    const scored: Array<[string, number]> = [];
    for (const candidate of candidates) {
        const c = candidate.toLowerCase();
        let distance = editDistance(lower, c);
        if (lower.length >= 3 && (c.startsWith(lower) || lower.startsWith(c))) distance = Math.min(distance, 1);
        const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
        if (distance <= limit) scored.push([candidate, distance]);
    }
    scored.sort((x, y) => x[1] - y[1] || x[0].length - y[0].length || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    // Only the closest: 'batchnorm2d' suggests batch_norm2d, not also batch_norm1d and 3d.
    const best = scored[0]?.[1];
    return scored.filter(([, d]) => d === best).slice(0, max).map(([c]) => c);
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
    const found = suggest(name, candidates);
    if (found.length === 0) return '';
    return ` — did you mean ${found.map(f => `'${f}'`).join(' or ')}?`;
}
