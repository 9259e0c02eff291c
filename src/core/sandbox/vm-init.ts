/**
 * The guest's /init: a busybox shell script run as PID 1 from the initramfs. It loads the kernel's own
 * virtio, 9p, overlay and ext4 modules, builds the root (the host's / over 9p, read-only, under an
 * overlay whose writes go to a scratch disk, as a VPS writes to its disk), mounts what a VPS has
 * (/proc, /sys, /dev, /dev/shm, /run, cgroup v2 with its controllers handed to child groups),
 * turns swap on, brings up loopback only, runs the job chrooted into that root, records how it ended,
 * and powers off. Any failure powers off too: the host reads what happened from the share.
 */
import { shellQuote } from "./shell-quote.js";

/** Mount tags and device names the host's QEMU command line and this script agree on. */
export const GUEST = {
  rootTag: "hostroot",
  shareTag: "gwvm",
  /** Where the share appears inside the guest's root. */
  shareDir: "/gwarden-vm",
  scratchDevice: "/dev/vda",
  swapDevice: "/dev/vdb",
  /** The 9p tag of the i-th writable host directory. */
  writableTag: (i: number) => `w${i}`,
} as const;

export type GuestSwap = { kind: "none" } | { kind: "disk" } | { kind: "zram"; bytes: number };

export interface GuestInitOptions {
  /** Module files inside the initramfs (lib/modules/…), in load order. */
  modules: readonly string[];
  swap: GuestSwap;
  /** Host directories mounted read-write at the same path in the guest, in tag order. */
  writable: readonly string[];
  /** 9p payload size: bigger reads make the host's files load faster. */
  msize?: number;
  hostname?: string;
}

/** The cgroup v2 controllers handed to child groups (a delegated subtree, as systemd's Delegate=yes). */
export const GUEST_CONTROLLERS = ["cpu", "io", "memory", "pids"] as const;

function swapLines(swap: GuestSwap): string[] {
  if (swap.kind === "disk")
    return [
      `mkswap ${GUEST.swapDevice} >/dev/null && swapon ${GUEST.swapDevice} || fail "swap on ${GUEST.swapDevice}"`,
    ];
  if (swap.kind === "zram") {
    return [
      "echo lzo-rle > /sys/block/zram0/comp_algorithm 2>/dev/null",
      `echo ${swap.bytes} > /sys/block/zram0/disksize || fail "zram disksize"`,
      `mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || fail "swap on zram"`,
    ];
  }
  return [];
}

/** The /init script text. */
export function guestInit(options: GuestInitOptions): string {
  const msize = options.msize ?? 512_000;
  const nine = `trans=virtio,version=9p2000.L,msize=${msize}`;
  const share = `/newroot${GUEST.shareDir}`;
  const writable = options.writable.flatMap((dir, i) => [
    `mkdir -p ${shellQuote(`/newroot${dir}`)} && mount -t 9p -o ${nine},cache=none ${GUEST.writableTag(i)} ${shellQuote(`/newroot${dir}`)} || fail ${shellQuote(`writable ${dir}`)}`,
  ]);
  return `#!/bin/busybox sh
# gwarden's guest init (generated): see src/core/sandbox/vm-init.ts.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "gwarden-vm: $*" > /dev/console; }
fail() {
  say "FAILED: $*"
  [ -d ${share} ] && echo "$*" > ${share}/boot-error
  sync
  poweroff -f
  sleep 60
}
for m in ${options.modules.map((m) => shellQuote(m)).join(" ")}; do
  insmod "/$m" || fail "insmod $m"
done
rm -rf /lib/modules
mkdir -p /lower /scratch /newroot
mount -t 9p -o ${nine},ro,cache=loose ${GUEST.rootTag} /lower || fail "the host root over 9p"
mount -t ext4 ${GUEST.scratchDevice} /scratch || fail "the scratch disk"
mkdir -p /scratch/upper /scratch/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/scratch/upper,workdir=/scratch/work /newroot || fail "the overlay root"
mkdir -p ${share}
mount -t 9p -o ${nine},cache=none ${GUEST.shareTag} ${share} || fail "the share"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm /newroot/dev/shm
mount -t tmpfs -o mode=755,nosuid,nodev run /newroot/run
mount -t cgroup2 -o nsdelegate cgroup2 /newroot/sys/fs/cgroup || fail "cgroup2"
echo "${GUEST_CONTROLLERS.map((c) => `+${c}`).join(" ")}" > /newroot/sys/fs/cgroup/cgroup.subtree_control || fail "cgroup controllers"
${writable.join("\n")}
${swapLines(options.swap).join("\n")}
ip link set lo up || fail "loopback"
hostname ${shellQuote(options.hostname ?? "gwarden-vm")}
{
  echo "kernel=$(uname -r)"
  echo "cpus=$(grep -c ^processor /proc/cpuinfo)"
  grep -E '^(MemTotal|SwapTotal):' /proc/meminfo | sed 's/: */=/; s/ kB$//'
  echo "controllers=$(cat /newroot/sys/fs/cgroup/cgroup.subtree_control)"
  echo "uptime_at_job=$(cut -d' ' -f1 /proc/uptime)"
} > ${share}/guest.env
say "booted in $(cut -d' ' -f1 /proc/uptime) s; running the job"
chroot /newroot /bin/sh ${GUEST.shareDir}/job.sh < /dev/null > ${share}/stdout 2> ${share}/stderr
code=$?
echo "uptime_at_end=$(cut -d' ' -f1 /proc/uptime)" >> ${share}/guest.env
echo "$code" > ${share}/exit
say "job exited with $code"
sync
poweroff -f
sleep 60
`;
}

/** The job script: cd, environment, then exec the command (all quoted). */
export function guestJob(job: {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
}): string {
  const exports = Object.entries(job.env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${k}`);
    return `export ${k}=${shellQuote(v)}`;
  });
  return `# gwarden's guest job (generated)\n${exports.join("\n")}\ncd ${shellQuote(job.cwd)} || exit 125\nexec ${job.argv.map(shellQuote).join(" ")}\n`;
}
