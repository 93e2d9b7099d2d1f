/**
 * Reusable float64 work buffers (im2col columns, packed GEMM panels), grown on demand and kept,
 * so a conv does not allocate and zero megabytes per call. Each user owns a named slot; a slot's
 * content is garbage on entry. JavaScript is single-threaded per isolate (each worker has its own
 * module instance), so slots are never shared between concurrent calls — but a function must not
 * hold a slot across a call that uses the same slot.
 */
export type ScratchSlot = 'packA' | 'packB' | 'col' | 'x' | 'w' | 'y';

const slots = new Map<ScratchSlot, Float64Array>();

/** A Float64Array of exactly `length` elements backed by the slot's buffer. */
export function scratch(slot: ScratchSlot, length: number): Float64Array {
    let buf = slots.get(slot);
    if (!buf || buf.length < length) {
        buf = new Float64Array(Math.max(length, Math.ceil((buf?.length ?? 0) * 1.5)));
        slots.set(slot, buf);
    }
    return buf.length === length ? buf : buf.subarray(0, length);
}

/** Drops every buffer (after a large network run, to give the memory back). */
export function releaseScratch(): void {
    slots.clear();
}
