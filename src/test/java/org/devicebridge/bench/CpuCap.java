package org.devicebridge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A CPU budget for one process, as a machine of its own would give it: a cgroup of the {@code cpu}
 * controller with a quota of {@code cores} per 100 ms period (cgroup v2 {@code cpu.max}, or v1
 * {@code cpu.cfs_quota_us}). Needs a writable cgroup file system (root, or a delegated subtree);
 * {@link #create} says why when there is none.
 */
final class CpuCap implements AutoCloseable {

    private static final long PERIOD_US = 100_000;
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final Path group;

    private CpuCap(Path group) {
        this.group = group;
    }

    /** A new cgroup {@code name} capped at {@code cores}; empty, with the reason printed by the caller, when none can be made. */
    static Optional<CpuCap> create(String name, double cores, StringBuilder whyNot) {
        long quota = Math.round(cores * PERIOD_US);
        try {
            Path v2 = ROOT.resolve("cgroup.controllers");
            if (Files.isRegularFile(v2) && Files.readString(v2).contains("cpu")) {
                Path group = ROOT.resolve(name);
                Files.createDirectories(group);
                Files.writeString(group.resolve("cpu.max"), quota + " " + PERIOD_US);
                return Optional.of(new CpuCap(group));
            }
            Path v1 = ROOT.resolve("cpu");
            if (Files.isDirectory(v1)) {
                Path group = v1.resolve(name);
                Files.createDirectories(group);
                Files.writeString(group.resolve("cpu.cfs_period_us"), String.valueOf(PERIOD_US));
                Files.writeString(group.resolve("cpu.cfs_quota_us"), String.valueOf(quota));
                return Optional.of(new CpuCap(group));
            }
            whyNot.append("no cgroup cpu controller under ").append(ROOT);
        } catch (IOException | RuntimeException e) {
            whyNot.append(String.format(Locale.ROOT, "cannot make a cgroup under %s (%s)", ROOT, e.getMessage()));
        }
        return Optional.empty();
    }

    /** Moves the process (all its threads, and the ones it starts later) into the group. */
    void add(long pid) throws IOException {
        Files.writeString(group.resolve("cgroup.procs"), String.valueOf(pid));
    }

    /** Removes the group; its processes must have ended. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(group);
        } catch (IOException e) {
            // a process still in it: the empty group stays behind, harmless
        }
    }
}
