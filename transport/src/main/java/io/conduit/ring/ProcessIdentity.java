package io.conduit.ring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongUnaryOperator;

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
 * 1..2<sup>31</sup>-1, so a word is never negative. A stamp of 0 means unknown: a process that could not read its
 * own start time (no {@code /proc}, or a failed read when its ring object was made) stores its bare pid, and such a
 * word is alive while a process with its pid runs.
 * <p>
 * A word is dead only when {@code /proc} says so: no {@code /proc/<pid>}, a process that has exited (a zombie with no
 * thread left), or another start stamp. Where {@code /proc} cannot answer (a read or parse failure, or Linux with no
 * {@code /proc} mounted) the word is taken for alive, since "dead" skips claims and takes roles; off Linux the JDK's
 * {@link ProcessHandle} decides by pid. So {@code /proc} must show every process of a channel to every other: under
 * {@code hidepid=2} another user's processes have no {@code /proc/<pid>} and look dead; under {@code hidepid=1} their
 * files cannot be read, so a pid of theirs reused by another process of that user, or a zombie, looks alive (a pid
 * with no process has no {@code /proc/<pid>} and still looks dead). Processes of one channel share a pid namespace
 * (README).
 * <p>
 * {@link #isAlive(long)} reads a file kept open (a read call; the look-up allocates only the verdict it keeps): a
 * consumer spinning on a live producer's claim checks it about every thousand polls, so a word's verdict is kept for
 * {@link #VERDICT_TTL_NS} (a process that dies is found dead that much later at most; a dead word stays dead).
 */
public final class ProcessIdentity
{
    /** Bits of the pid, the low half of a word. */
    public static final long PID_MASK = 0xFFFF_FFFFL;
    private static final int STAMP_SHIFT = 32;
    private static final long STAMP_MODULUS = Integer.MAX_VALUE;
    // fields after the command's closing parenthesis in /proc/<pid>/stat: state is field 3, starttime field 22
    private static final int STATE_FIELD = 3;
    // num_threads: a zombie group leader whose other threads still run is alive
    private static final int THREADS_FIELD = 20;
    private static final int START_TIME_FIELD = 22;
    /** How long a word's verdict is kept before its process is looked up again. */
    public static final long VERDICT_TTL_NS = 10_000_000L;
    private static final int VERDICT_SLOTS = 16; // a power of two: slot by the pid's low bits
    // racy on purpose: each element an immutable verdict (final fields), replaced whole, so a reader sees one verdict
    // or another, each true when made
    private static final Verdict[] VERDICTS = new Verdict[VERDICT_SLOTS];
    private static final int STAT_BUFFER_LENGTH = 1024;
    // whether this system has a /proc to ask, decided once: every "no such file" below means dead only with one
    private static final boolean PROC = Files.isReadable(Path.of("/proc/self/stat"));
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    static final int ALIVE = 1;
    static final int DEAD = 0;
    static final int UNKNOWN = -1;
    /** {@link #status(long)}: no such process, or one that has exited. */
    static final long EXITED = 0;
    /** {@link #status(long)}: {@code /proc} did not say. */
    static final long UNREADABLE = -1;
    // a look-up's buffer, one per thread that looks: a consumer's idle path looks up to every VERDICT_TTL_NS
    private static final ThreadLocal<ByteBuffer> STAT_BUFFER =
        ThreadLocal.withInitial(() -> ByteBuffer.wrap(new byte[STAT_BUFFER_LENGTH]));
    // /proc/<pid>/stat kept open, a pid per slot: a look-up reads it again from its start (the kernel writes the file
    // afresh for each read at 0), which allocates nothing, where opening it by name allocates a path and a channel
    // each time. The file of a process that has gone fails the read, and is then opened again by name, which tells
    // an exited process (no such file) from a new one with the pid (another start stamp). Closed by closeKeptFiles,
    // which ChannelFile calls when the last channel file open in this process closes (it counts them), so that a
    // process with no channel open keeps none (a checkpoint refuses them) while closing one of several channels
    // leaves the others' look-ups free of allocation. What a process with none open may still keep: the files of
    // look-ups that begin after that close (a ring built on a buffer of its own, a direct isAlive), until the next
    // such close or a call of closeKeptFiles
    private static final int STAT_FILE_SLOTS = 64; // a power of two: slot by the pid's low bits
    private static final AtomicReferenceArray<StatFile> STAT_FILES = new AtomicReferenceArray<>(STAT_FILE_SLOTS);
    // moved on by each closeKeptFiles: a look-up that opened its file before a close does not keep it after
    private static final AtomicLong KEPT_GENERATION = new AtomicLong();

    private static final class StatFile
    {
        private final long pid;
        private final FileChannel channel;

        private StatFile(final long pid, final FileChannel channel)
        {
            this.pid = pid;
            this.channel = channel;
        }
    }

    private static final class Verdict
    {
        private final long word;
        private final long checkedNs;
        private final boolean alive;

        private Verdict(final long word, final long checkedNs, final boolean alive)
        {
            this.word = word;
            this.checkedNs = checkedNs;
            this.alive = alive;
        }
    }

    private ProcessIdentity()
    {
    }

    /**
     * @return this process's word: its pid and, where {@code /proc} shows it, its start stamp. Read anew at each
     * call (a ring object reads it once, when made), so a process restored from a checkpoint (CRaC, CRIU) under a
     * new pid or start time names itself as it is now.
     */
    public static long current()
    {
        return identityOf(ProcessHandle.current().pid());
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
        return isAlive(word, ProcessIdentity::status, System.nanoTime());
    }

    /**
     * {@link #isAlive(long)} with the look-up and the time given: the seam its tests use.
     *
     * @param word   a role's word.
     * @param status as {@link #status(long)}.
     * @param nowNs  the time, as {@link System#nanoTime()}.
     * @return as {@link #isAlive(long)}.
     */
    static boolean isAlive(final long word, final LongUnaryOperator status, final long nowNs)
    {
        final long pid = pid(word);
        if (word <= 0 || 0 == pid || pid > Integer.MAX_VALUE)
        {
            return false;
        }
        final int slot = (int)pid & (VERDICT_SLOTS - 1);
        final Verdict verdict = VERDICTS[slot];
        if (null != verdict && verdict.word == word && nowNs - verdict.checkedNs < VERDICT_TTL_NS)
        {
            return verdict.alive;
        }
        // "dead" is the answer that skips claims and takes roles: never given on a guess, so UNKNOWN is alive (kept
        // as long as a verdict, so that a /proc that cannot answer is not asked at every stuck check)
        final boolean alive = DEAD != lookUp(word, status.applyAsLong(pid));
        VERDICTS[slot] = new Verdict(word, nowNs, alive);
        return alive;
    }

    /**
     * @param word   a role's word, its pid in range.
     * @param status its pid's {@link #status(long)}.
     * @return {@link #ALIVE}, {@link #DEAD}, or {@link #UNKNOWN} if {@code /proc} is there but did not say (a read
     * error such as too many open files, or a line it could not parse).
     */
    static int lookUp(final long word, final long status)
    {
        if (UNREADABLE == status)
        {
            if (!PROC && !LINUX)
            {
                // no /proc, not Linux: the pid alone decides, as the JDK tells it (on Linux the JDK reads /proc too)
                return ProcessHandle.of(pid(word)).map(ProcessHandle::isAlive).orElse(false) ? ALIVE : DEAD;
            }
            return UNKNOWN;
        }
        if (EXITED == status)
        {
            return DEAD; // no such process, or one that has exited (a zombie with no thread left)
        }
        final long stamp = stamp(word);
        return 0 == stamp || status == stamp ? ALIVE : DEAD;
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
        final long status = status(pid);
        return status > 0 ? of(pid, status) : pid;
    }

    /**
     * @param pid a process id.
     * @return the start stamp of a running process, {@link #EXITED} for none (or a zombie with no thread left), or
     * {@link #UNREADABLE} if {@code /proc/<pid>/stat} cannot be read or parsed.
     */
    static long status(final long pid)
    {
        if (!PROC)
        {
            return UNREADABLE;
        }
        final ByteBuffer buffer = STAT_BUFFER.get();
        final int slot = (int)pid & (STAT_FILE_SLOTS - 1);
        final StatFile kept = STAT_FILES.get(slot);
        if (null != kept && kept.pid == pid)
        {
            final long status = read(kept.channel, buffer) ? parseStat(buffer.array(), buffer.position()) : UNREADABLE;
            if (status > 0)
            {
                return status;
            }
            // the process has gone (the read fails), another thread closed the file, or the file said nothing to go
            // by: open it again by name, which alone tells an exited process from one that cannot be read
            if (STAT_FILES.compareAndSet(slot, kept, null))
            {
                closeQuietly(kept.channel);
            }
        }

        final long generation = KEPT_GENERATION.get();
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(Path.of("/proc/" + pid + "/stat"));
        }
        catch (final NoSuchFileException ex)
        {
            return EXITED;
        }
        catch (final IOException | SecurityException | UnsupportedOperationException ex)
        {
            return UNREADABLE;
        }
        final long status = read(channel, buffer) ? parseStat(buffer.array(), buffer.position()) : UNREADABLE;
        final StatFile replaced = STAT_FILES.get(slot);
        final StatFile installed = new StatFile(pid, channel);
        if (status > 0 && STAT_FILES.compareAndSet(slot, replaced, installed))
        {
            if (null != replaced)
            {
                closeQuietly(replaced.channel);
            }
            if (KEPT_GENERATION.get() != generation && STAT_FILES.compareAndSet(slot, installed, null))
            {
                closeQuietly(channel); // a close ran meanwhile: it would not have seen this file
            }
        }
        else
        {
            closeQuietly(channel); // a process that has exited is not asked again; nor, losing a race, is this file
        }
        return status;
    }

    /**
     * Close the {@code /proc/<pid>/stat} files kept open for look-ups; the next look-up of each process opens its
     * file again (allocating once). A look-up that began before this call does not keep its file after it.
     * Called when the last channel file open in this process closes, so that a process with no channel open holds
     * none of them, and not at the close of one of several, whose others' look-ups go on reading kept files. Call it
     * before a checkpoint if a ring built without a channel file, or a direct {@link #isAlive(long)}, has looked up
     * a process since.
     */
    public static void closeKeptFiles()
    {
        KEPT_GENERATION.incrementAndGet();
        for (int slot = 0; slot < STAT_FILE_SLOTS; slot++)
        {
            final StatFile kept = STAT_FILES.getAndSet(slot, null);
            if (null != kept)
            {
                closeQuietly(kept.channel);
            }
        }
    }

    /**
     * Read the whole file from its start into the buffer, from position 0; a file of {@code /proc} may come in more
     * than one read.
     *
     * @return false if it could not be read (a process that has gone fails the read), or was closed meanwhile.
     */
    private static boolean read(final FileChannel channel, final ByteBuffer buffer)
    {
        buffer.clear();
        try
        {
            int read;
            do
            {
                read = channel.read(buffer, buffer.position());
            }
            // the line ends in a newline: stop there rather than make one more read to be told the end of the file
            while (read > 0 && buffer.hasRemaining() && '\n' != buffer.get(buffer.position() - 1));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // nothing was written: nothing is lost
        }
    }

    /**
     * @param stat the text of {@code /proc/<pid>/stat}.
     * @return as {@link #status(long)}.
     */
    static long parseStat(final String stat)
    {
        final byte[] bytes = stat.getBytes(StandardCharsets.US_ASCII);
        return parseStat(bytes, bytes.length);
    }

    /**
     * @param stat the bytes of {@code /proc/<pid>/stat}.
     * @param length how many of them were read.
     * @return as {@link #status(long)}; {@link #UNREADABLE} for a line cut short by the buffer.
     */
    static long parseStat(final byte[] stat, final int length)
    {
        // the command (field 2) may hold spaces and parentheses: the fields that follow start after its last ')'
        int i = length - 1;
        while (i >= 0 && ')' != stat[i])
        {
            i--;
        }
        if (i < 0)
        {
            return UNREADABLE;
        }
        i++;
        byte state = 0;
        long threads = -1;
        long startTime = -1;
        for (int field = STATE_FIELD; field <= START_TIME_FIELD; field++)
        {
            while (i < length && ' ' == stat[i])
            {
                i++;
            }
            if (i >= length)
            {
                return UNREADABLE;
            }
            final int start = i;
            while (i < length && ' ' != stat[i] && '\n' != stat[i])
            {
                i++;
            }
            if (STATE_FIELD == field)
            {
                state = stat[start];
            }
            else if (THREADS_FIELD == field)
            {
                threads = number(stat, start, i);
            }
            else if (START_TIME_FIELD == field)
            {
                if (i >= length && length == STAT_BUFFER_LENGTH)
                {
                    return UNREADABLE; // cut short by the buffer
                }
                startTime = number(stat, start, i);
            }
        }
        if (threads < 0 || startTime < 0)
        {
            return UNREADABLE;
        }
        // a zombie is a process that has exited, unless it is a group leader whose other threads still run
        if ('X' == state || 'x' == state || ('Z' == state && threads <= 1))
        {
            return EXITED;
        }
        return startTime % STAMP_MODULUS + 1;
    }

    /**
     * @return the decimal number in {@code bytes[from, to)}, or -1 if it is not one (or has more than 18 digits).
     */
    private static long number(final byte[] bytes, final int from, final int to)
    {
        if (from >= to || to - from > 18)
        {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++)
        {
            final int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9)
            {
                return -1;
            }
            n = n * 10 + digit;
        }
        return n;
    }
}
