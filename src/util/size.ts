/** Sizes as people write them: `2GiB`, `512M`, `1.5g`, `1000000` (bytes; k/M/G/T are powers of 1024). */
export function parseSize(raw: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i.exec(raw.trim());
    if (!m) return undefined;
    const unit = (m[2] ?? 'b').toLowerCase()[0]!;
    const scale = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
    return Math.floor(Number(m[1]) * scale);
}
