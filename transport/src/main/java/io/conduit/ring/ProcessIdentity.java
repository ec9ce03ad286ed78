package io.conduit.ring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The word a ring stores for a process that holds a role (producer pid, consumer pid, producer slot pid): the pid in
 * the low 32 bits and a stamp of the process's start time in the high 32, so that a pid the kernel has given to
 * another process since names no live holder.
 * <pre>
 *   63  62                       32 31                            0
 *   +---+--------------------------+-------------------------------+
 *   | 0 |  start stamp (31 bits)   |  pid                          |
 *   +---+--------------------------+-------------------------------+
 * </pre>
 * The stamp is the process's start time in clock ticks since boot ({@code /proc/<pid>/stat}, field 22) folded into
 * 1..2<sup>31</sup>-1, so a word is never negative. A stamp of 0 means unknown: a process that cannot read its own
 * start time (no {@code /proc}) stores its bare pid, as files written before the stamp did, and such a word is alive
 * while its pid is.
 * <p>
 * A word with a stamp is alive while a process with its pid runs (not a zombie) and that process's stamp is the
 * word's. If the process's start time cannot be read ({@code /proc} mounted with {@code hidepid}), the pid alone
 * decides, as for a word with no stamp. Processes of one channel share a pid namespace (README).
 * <p>
 * Cold paths only: {@link #isAlive(long)} reads a file.
 */
public final class ProcessIdentity
{
    /** Bits of the pid, the low half of a word. */
    public static final long PID_MASK = 0xFFFF_FFFFL;
    private static final int STAMP_SHIFT = 32;
    private static final long STAMP_MODULUS = Integer.MAX_VALUE;
    // fields after the command's closing parenthesis in /proc/<pid>/stat: state is field 3, starttime field 22
    private static final int STATE_FIELD = 3;
    private static final int START_TIME_FIELD = 22;
    private static final long CURRENT = identityOf(ProcessHandle.current().pid());

    private ProcessIdentity()
    {
    }

    /**
     * @return this process's word: its pid and, where {@code /proc} shows it, its start stamp.
     */
    public static long current()
    {
        return CURRENT;
    }

    /**
     * @param word a role's word.
     * @return the pid it names.
     */
    public static long pid(final long word)
    {
        return word & PID_MASK;
    }

    /**
     * @param word a role's word.
     * @return its start stamp, or 0 if it has none.
     */
    public static long stamp(final long word)
    {
        return word >>> STAMP_SHIFT;
    }

    /**
     * @param pid a process id.
     * @param stamp a start stamp, 0 for none.
     * @return the word naming that process.
     */
    public static long of(final long pid, final long stamp)
    {
        if (pid <= 0 || pid > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("pid=" + pid + " expected in [1, " + Integer.MAX_VALUE + "]");
        }
        if (stamp < 0 || stamp > STAMP_MODULUS)
        {
            throw new IllegalArgumentException("stamp=" + stamp + " expected in [0, " + STAMP_MODULUS + "]");
        }
        return (stamp << STAMP_SHIFT) | pid;
    }

    /**
     * @param word a role's word, as read from a channel file.
     * @return true if the process it names runs: a word no process could have written (a pid out of range, a
     * negative word) names none.
     */
    public static boolean isAlive(final long word)
    {
        final long pid = pid(word);
        if (word <= 0 || 0 == pid || pid > Integer.MAX_VALUE)
        {
            return false;
        }
        final long stamp = stamp(word);
        final long[] status = status(pid);
        if (null == status)
        {
            // no /proc/<pid>/stat to read (not Linux, or hidden): the pid alone decides
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        if (status.length == 0)
        {
            return false; // no such process, a zombie, or dead
        }
        return 0 == stamp || status[0] == stamp;
    }

    /**
     * @param word a role's word.
     * @return the word for messages: its pid, and its stamp if it has one.
     */
    public static String describe(final long word)
    {
        final long stamp = stamp(word);
        return 0 == stamp ? Long.toString(pid(word)) : pid(word) + " (start stamp " + stamp + ")";
    }

    private static long identityOf(final long pid)
    {
        final long[] status = status(pid);
        return null == status || status.length == 0 ? pid : of(pid, status[0]);
    }

    /**
     * @param pid a process id.
     * @return {@code {stamp}} for a running process, an empty array for none (or a zombie), or null if
     * {@code /proc/<pid>/stat} cannot be read or parsed.
     */
    static long[] status(final long pid)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat"));
        }
        catch (final NoSuchFileException ex)
        {
            return Files.isDirectory(Path.of("/proc", "self")) ? new long[0] : null;
        }
        catch (final IOException | SecurityException ex)
        {
            return null;
        }
        return parseStat(new String(bytes, StandardCharsets.US_ASCII));
    }

    /**
     * @param stat the text of {@code /proc/<pid>/stat}.
     * @return as {@link #status(long)}.
     */
    static long[] parseStat(final String stat)
    {
        // the command (field 2) may hold spaces and parentheses: the fields that follow start after its last ')'
        final int commandEnd = stat.lastIndexOf(')');
        if (commandEnd < 0)
        {
            return null;
        }
        final String[] fields = stat.substring(commandEnd + 1).trim().split(" ");
        final int startTimeIndex = START_TIME_FIELD - STATE_FIELD;
        if (fields.length <= startTimeIndex || fields[0].isEmpty())
        {
            return null;
        }
        final char state = fields[0].charAt(0);
        if ('Z' == state || 'X' == state || 'x' == state)
        {
            return new long[0];
        }
        final long startTime;
        try
        {
            startTime = Long.parseLong(fields[startTimeIndex]);
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
        return startTime < 0 ? null : new long[] {startTime % STAMP_MODULUS + 1};
    }
}
