package io.conduit.wait;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells when a thread is really asleep in {@code futex(2)} on a given word, from {@code /proc/<pid>/task/<tid>/syscall}
 * (the system call a thread is blocked in and its arguments): a condition to wait for before a test asserts that a
 * wake-up found a sleeper, instead of sleeping for a grace period and hoping the waiter got there.
 */
public final class KernelSleepers
{
    private KernelSleepers()
    {
    }

    /**
     * @return whether this kernel tells a thread's system call: {@code /proc/thread-self/syscall} exists, is
     * readable, and reads as "running", "-1 ..." or a call number (it is missing without the arch's tracehook, and
     * in some sandboxes). Tests that wait for a sleeper in the kernel skip where it does not.
     */
    public static boolean isSupported()
    {
        try
        {
            final String first = Files.readString(Paths.get("/proc/thread-self/syscall")).trim().split(" ")[0];
            return "running".equals(first) || first.matches("-?[0-9]+");
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Wait until a thread of {@code pid} is blocked in {@code futex(2)} on the word at {@code address}.
     *
     * @param pid       the process.
     * @param address   the word's address in that process.
     * @param timeoutNs how long to wait.
     * @throws AssertionError if no such thread shows up in time.
     */
    public static void awaitSleeper(final long pid, final long address, final long timeoutNs)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!isSleeping(pid, address))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("no thread of pid=" + pid + " asleep in futex(2) on 0x" +
                    Long.toHexString(address) + " after " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            Thread.sleep(1);
        }
    }

    /**
     * @param pid  a process.
     * @param path a file that process maps from its start.
     * @return the address at which it maps the file.
     * @throws IOException if the maps cannot be read or do not name the file.
     */
    static long mappingAddress(final long pid, final Path path) throws IOException
    {
        final String name = path.toRealPath().toString();
        final List<String> lines = Files.readAllLines(Paths.get("/proc", Long.toString(pid), "maps"));
        for (final String line : lines)
        {
            // start-end perms offset dev inode path
            final String[] fields = line.trim().split("\\s+", 6);
            if (6 == fields.length && name.equals(fields[5]) && 0 == Long.parseLong(fields[2], 16))
            {
                return Long.parseUnsignedLong(fields[0].substring(0, fields[0].indexOf('-')), 16);
            }
        }
        throw new IOException("pid=" + pid + " does not map " + name);
    }

    private static boolean isSleeping(final long pid, final long address)
    {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                final String[] fields;
                try
                {
                    fields = Files.readString(task.resolve("syscall")).trim().split(" ");
                }
                catch (final IOException ex)
                {
                    continue; // the thread ended
                }
                // "nr arg1 arg2 ...": blocked in a system call; "-1 ..." in user space; "running"
                if (fields.length > 1 && Long.toString(LibC.SYS_FUTEX).equals(fields[0]) &&
                    fields[1].startsWith("0x") && Long.parseUnsignedLong(fields[1].substring(2), 16) == address)
                {
                    return true;
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot read the threads of pid=" + pid, ex);
        }
    }
}
