// CPU time of code-server's processes from /proc (Linux), to see that a cancelled job really
// stopped computing: the engine runs in a worker thread of the extension-host process.
import * as fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Proc {
    pid: number;
    cmdline: string;
    cpuSeconds: number;
}

function readProc(pid: number): (Proc & { pgrp: number }) | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        return { pid, pgrp: Number(fields[2]), cmdline, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
    } catch {
        return undefined; // gone, or no /proc
    }
}

/** The processes of process group `pgid`. */
export function processGroup(pgid: number): Proc[] {
    if (!fs.existsSync('/proc/self/stat')) return [];
    return fs
        .readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .map((n) => readProc(Number(n)))
        .filter((p): p is Proc & { pgrp: number } => p !== undefined && p.pgrp === pgid);
}

/** CPU seconds used per wall-clock second by the group's extension hosts over `ms`. */
export async function extensionHostLoad(pgid: number, ms = 1_000): Promise<number | undefined> {
    const hosts = () => processGroup(pgid).filter((p) => /extensionHost/.test(p.cmdline));
    const before = hosts();
    if (before.length === 0) return undefined;
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, ms));
    const after = new Map(hosts().map((p) => [p.pid, p.cpuSeconds]));
    const used = before.reduce((sum, p) => sum + ((after.get(p.pid) ?? p.cpuSeconds) - p.cpuSeconds), 0);
    return used / ((Date.now() - t0) / 1000);
}
