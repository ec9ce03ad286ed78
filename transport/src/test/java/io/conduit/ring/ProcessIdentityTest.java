package io.conduit.ring;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.file.OpenChannelFiles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

import static io.conduit.file.ChannelFileDescriptor.CONSUMER_PID_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.PRODUCER_PID_OFFSET;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A role's word names a process by pid and start stamp, so a pid the kernel gave to another process since its holder
 * died names no live holder: its claims are skipped at once and its role can be taken.
 */
class ProcessIdentityTest
{
    // a /proc/<pid>/stat line whose command holds spaces and parentheses, as a process may name itself
    private static final String STAT_PREFIX = "4242 (a) (b c)) ";
    private static final String STAT_MIDDLE = " 1 4242 4242 0 -1 4194304 125 0 0 0 0 0 0 0 20 0 1 0 ";
    private static final String STAT_SUFFIX = " 3133440 386 18446744073709551615 0 0 0 0";

    /** The documented time a verdict is kept (docs/LAYOUT.md), not the constant: a test of the constant's value. */
    private static final long DOCUMENTED_TTL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * Bytes one look-up may allocate and still have read a kept file: above the JVM's own one-offs (tens of bytes),
     * below a look-up that opens its file by name (a path and a channel, about 520 bytes).
     */
    private static final long ONE_OFF_LIMIT = 256;

    @TempDir
    Path dir;

    /**
     * @return the word of a live process (the parent JVM, else this one) with a start stamp it does not have: the
     * word a dead holder left behind when the kernel gave its pid to that process.
     */
    static long reusedPid()
    {
        needStamps();
        final long pid = ProcessHandle.current().parent().map(ProcessHandle::pid)
            .filter(p -> ProcessIdentity.status(p) > 0).orElse(ProcessHandle.current().pid());
        final long status = ProcessIdentity.status(pid);
        assertTrue(status > 0, "no start stamp read for live pid " + pid);
        return ProcessIdentity.of(pid, otherStamp(status));
    }

    /**
     * @return a start stamp that is not {@code stamp}.
     */
    static long otherStamp(final long stamp)
    {
        return stamp % Integer.MAX_VALUE + 1;
    }

    /**
     * Skip where there is no {@code /proc} (not Linux); where there is one, this process's word must carry a stamp,
     * so that a broken read fails the tests that need stamps rather than skipping them.
     */
    static void needStamps()
    {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc here: words carry no start stamps");
        assertNotEquals(0, ProcessIdentity.stamp(ProcessIdentity.current()), "this process's word has no stamp");
    }

    @Test
    void shouldReadTheStateAndStartTimeAfterTheCommandsLastParenthesis()
    {
        assertEquals(6870965 + 1, ProcessIdentity.parseStat(STAT_PREFIX + "S" + STAT_MIDDLE + "6870965" + STAT_SUFFIX));
        assertEquals((1L << 40) % Integer.MAX_VALUE + 1,
            ProcessIdentity.parseStat(STAT_PREFIX + "R" + STAT_MIDDLE + (1L << 40) + STAT_SUFFIX),
            "folded into 31 bits, never 0");
        assertEquals(ProcessIdentity.EXITED,
            ProcessIdentity.parseStat(STAT_PREFIX + "Z" + STAT_MIDDLE + "6870965" + STAT_SUFFIX),
            "a zombie with one thread (field 20) is dead");
        assertEquals(6870965 + 1, ProcessIdentity.parseStat(
            STAT_PREFIX + "Z" + STAT_MIDDLE.replace(" 20 0 1 0 ", " 20 0 2 0 ") + "6870965" + STAT_SUFFIX),
            "a zombie group leader whose other thread runs is alive");
        assertEquals(ProcessIdentity.EXITED,
            ProcessIdentity.parseStat(STAT_PREFIX + "X" + STAT_MIDDLE + "6870965" + STAT_SUFFIX));
        assertEquals(ProcessIdentity.UNREADABLE, ProcessIdentity.parseStat("4242 no parenthesis S 1"));
        assertEquals(ProcessIdentity.UNREADABLE, ProcessIdentity.parseStat(STAT_PREFIX + "S 1 2 3"), "too few fields");
        assertEquals(ProcessIdentity.UNREADABLE,
            ProcessIdentity.parseStat(STAT_PREFIX + "S" + STAT_MIDDLE + "x" + STAT_SUFFIX));
    }

    @Test
    void shouldPackAPidAndAStampIntoAPositiveWord()
    {
        final long word = ProcessIdentity.of(4_194_304, Integer.MAX_VALUE);
        assertTrue(word > 0);
        assertEquals(4_194_304, ProcessIdentity.pid(word));
        assertEquals(Integer.MAX_VALUE, ProcessIdentity.stamp(word));
        assertEquals(77, ProcessIdentity.of(77, 0), "no stamp: the bare pid, as files before stamps hold");
        assertEquals("77", ProcessIdentity.describe(77));
        assertEquals("77 (start stamp 5)", ProcessIdentity.describe(ProcessIdentity.of(77, 5)));

        final IllegalArgumentException pid = assertThrows(IllegalArgumentException.class,
            () -> ProcessIdentity.of(0, 1));
        assertEquals("pid=0 expected in [1, 2147483647]", pid.getMessage());
        final IllegalArgumentException stamp = assertThrows(IllegalArgumentException.class,
            () -> ProcessIdentity.of(77, 1L << 31));
        assertEquals("stamp=2147483648 expected in [0, 2147483647]", stamp.getMessage());
    }

    @Test
    void shouldTellALiveProcessFromOneThatHasItsPidNow()
    {
        final long self = ProcessIdentity.current();
        final long pid = ProcessHandle.current().pid();
        assertEquals(pid, ProcessIdentity.pid(self));
        assertTrue(ProcessIdentity.isAlive(self));
        assertTrue(ProcessIdentity.isAlive(pid), "a bare pid (no stamp) is alive while its pid is");
        assertFalse(ProcessIdentity.isAlive(MpscDeadClaimTest.DEAD_PID));
        assertFalse(ProcessIdentity.isAlive(0));
        assertFalse(ProcessIdentity.isAlive(-pid), "a negative word is no process");
        assertFalse(ProcessIdentity.isAlive(ProcessIdentity.PID_MASK & -1L), "nor a pid past 2^31 - 1");

        needStamps();
        final long otherStamp = otherStamp(ProcessIdentity.stamp(self));
        assertFalse(ProcessIdentity.isAlive(ProcessIdentity.of(pid, otherStamp)),
            "this pid with another start stamp: a process that had this pid before this one");
        assertFalse(ProcessIdentity.isAlive(reusedPid()));
    }

    /**
     * A consumer spinning on a live producer's open claim looks the producer up again every 10 ms: the look-up reads
     * its kept {@code /proc/<pid>/stat} again, allocating nothing (opening it by name each time took a path and a
     * channel, about 520 bytes a look-up, seen as 0.001 B/op in the SPSC throughput benchmark).
     * <p>
     * A window of look-ups must come out at exactly 0 bytes. The JVM's own one-offs (tens of bytes, now and then, while
     * the JIT swaps in code) are not the look-up's, so a window that has one is measured again, up to
     * {@code MAX_WINDOWS} times; and every window must stay under {@code ONE_OFF_LIMIT}, which a look-up allocating
     * even 16 bytes would pass in each.
     */
    @Test
    void shouldLookUpALiveProcessAgainWithoutAllocating()
    {
        needStamps();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final long pid = ProcessHandle.current().pid();
        final long stamp = ProcessIdentity.stamp(ProcessIdentity.current());
        final int warmUp = 20_000;
        final int measured = 2_000;
        final int maxWindows = 5;
        final long oneOffLimit = 8 * 1024;
        for (int i = 0; i < warmUp; i++)
        {
            assertEquals(stamp, ProcessIdentity.status(pid));
        }
        final long threadId = Thread.currentThread().getId();
        final long[] allocatedPerWindow = new long[maxWindows];
        int windows = 0;
        long allocated = -1;
        long mismatches = 0;
        while (0 != allocated && windows < maxWindows)
        {
            // the measuring call's own cost, measured each window: a one-off in it must not offset every window
            final long start = threads.getThreadAllocatedBytes(threadId);
            final long overhead = threads.getThreadAllocatedBytes(threadId) - start;
            final long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < measured; i++)
            {
                mismatches += stamp == ProcessIdentity.status(pid) ? 0 : 1;
            }
            allocated = threads.getThreadAllocatedBytes(threadId) - before - overhead;
            allocatedPerWindow[windows++] = allocated;
        }

        final String perWindow = "bytes allocated in each window of " + measured + " look-ups: " +
            Arrays.toString(Arrays.copyOf(allocatedPerWindow, windows));
        assertEquals(0, mismatches);
        assertEquals(0, allocated, perWindow);
        for (int w = 0; w < windows; w++)
        {
            assertTrue(allocatedPerWindow[w] < oneOffLimit, perWindow);
        }
    }

    /**
     * A look-up keeps the process's {@code /proc/<pid>/stat} open; the close of the last channel file open in this
     * process closes every file kept, so a process with no channel open holds none (a checkpoint refuses open files it
     * does not know). Other test classes may have left channel files open: then this close is not the last, and the
     * kept file stays.
     */
    @Test
    void shouldCloseTheKeptFilesWhenTheLastChannelFileCloses() throws Exception
    {
        needStamps();
        // a child no other test looks up: its file is open only while this test keeps it
        final Process child = new ProcessBuilder("sleep", "60").start();
        try
        {
            final long pid = child.pid();
            final int othersOpen = OpenChannelFiles.count();
            try (ChannelFile file = ChannelFile.create(dir, "kept", small()))
            {
                assertEquals(othersOpen + 1, OpenChannelFiles.count());
                assertTrue(ProcessIdentity.status(pid) > 0);
                assertEquals(1, keptStatFiles(pid), "the look-up's file kept open");
                assertFalse(file.isClosed());
            }

            assertEquals(othersOpen, OpenChannelFiles.count());
            assertNoKeptFiles(pid, othersOpen, "after the close");
            assertTrue(ProcessIdentity.status(pid) > 0, "a look-up after the close finds the process");
            assertEquals(1, keptStatFiles(pid));
            ProcessIdentity.closeKeptFiles();
            assertEquals(0, keptStatFiles(pid));
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Closing one of two channel files leaves the kept files open, so the other's look-ups go on allocating nothing
     * (closing every kept file at any channel file's close made them open their files by name once more); a second
     * close of the same file counts once, and the close of the other then closes them.
     */
    @Test
    void shouldKeepTheKeptFilesWhileAnotherChannelFileIsOpenAndCountADoubleCloseOnce() throws Exception
    {
        needStamps();
        final Process child = new ProcessBuilder("sleep", "60").start();
        try
        {
            final long pid = child.pid();
            final int othersOpen = OpenChannelFiles.count();
            // closed again at the end, which does nothing, or closed there if an assertion fails before: not left open
            try (ChannelFile first = ChannelFile.create(dir, "kept-first", small());
                ChannelFile second = ChannelFile.create(dir, "kept-second", small()))
            {
                assertEquals(othersOpen + 2, OpenChannelFiles.count());
                assertTrue(ProcessIdentity.status(pid) > 0);
                assertEquals(1, keptStatFiles(pid), "the look-up's file kept open");

                first.close();

                assertEquals(othersOpen + 1, OpenChannelFiles.count());
                assertEquals(1, keptStatFiles(pid), "the kept /proc file closed while another channel file is open");
                final long allocated = lookUpAllocation(pid);
                assertTrue(allocated < ONE_OFF_LIMIT, "a look-up after another channel file closed allocated " +
                    allocated + " bytes");

                first.close();

                assertEquals(othersOpen + 1, OpenChannelFiles.count(), "a second close of one file counted again");
                assertEquals(1, keptStatFiles(pid), "the kept /proc file closed by a second close of one channel file");

                second.close();
            }

            assertEquals(othersOpen, OpenChannelFiles.count());
            assertNoKeptFiles(pid, othersOpen, "after both closed");
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * A create or a delete of a channel looks up the creators of the temps it finds; that of a live one keeps its
     * file, which a process with no channel open must not keep, and one with a channel open keeps.
     */
    @Test
    void shouldNotKeepTheFileOfALiveCreatorLookedUpWithNoChannelOpen() throws Exception
    {
        needStamps();
        final Process child = new ProcessBuilder("sleep", "60").start();
        try
        {
            final long pid = child.pid();
            // a temp as the child would leave while creating the channel: alive, so left where it is
            final Path temp = Files.createFile(dir.resolve(".creating.tmp-" + pid + "-1"));
            final int othersOpen = OpenChannelFiles.count();

            assertFalse(ChannelFile.delete(dir, "creating"));

            assertTrue(Files.exists(temp), "a live creator's temp deleted");
            assertNoKeptFiles(pid, othersOpen, "after a delete");

            try (ChannelFile open = ChannelFile.create(dir, "kept-open", small()))
            {
                TimeUnit.NANOSECONDS.sleep(DOCUMENTED_TTL_NS + 1_000_000); // the verdict on the child expired
                assertFalse(ChannelFile.delete(dir, "creating"));
                assertEquals(1, keptStatFiles(pid), "a look-up with a channel file open keeps its file");
                assertFalse(open.isClosed());
            }
            assertNoKeptFiles(pid, othersOpen, "after the channel file closed");
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Threads that each open a channel file, look a process up and close the file, over and over: however their opens
     * and closes interleave, once all are closed no file is kept (the close that brings the count to 0 comes after
     * every look-up made with a channel file open), and the count is back where it was.
     */
    @Test
    void shouldKeepNoFileOnceChannelFilesOpenedAndClosedConcurrentlyAreAllClosed() throws Exception
    {
        needStamps();
        final int threads = 4;
        final int rounds = 200;
        final Process child = new ProcessBuilder("sleep", "60").start();
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            final long pid = child.pid();
            for (int t = 0; t < threads; t++)
            {
                ChannelFile.create(dir, "race-" + t, small()).close();
            }
            final int othersOpen = OpenChannelFiles.count();
            final CyclicBarrier start = new CyclicBarrier(threads);
            final List<Future<Integer>> found = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final String name = "race-" + t;
                found.add(executor.submit(() ->
                {
                    start.await(60, TimeUnit.SECONDS);
                    int alive = 0;
                    for (int round = 0; round < rounds; round++)
                    {
                        try (ChannelFile file = ChannelFile.open(dir, name))
                        {
                            alive += ProcessIdentity.status(pid) > 0 && !file.isClosed() ? 1 : 0;
                        }
                    }
                    return alive;
                }));
            }
            for (final Future<Integer> future : found)
            {
                assertEquals(rounds, future.get(60, TimeUnit.SECONDS), "look-ups that found the live child");
            }

            assertEquals(othersOpen, OpenChannelFiles.count());
            assertNoKeptFiles(pid, othersOpen, "once all were closed");
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static ChannelOptions small()
    {
        return ChannelOptions.defaults().capacity(4096);
    }

    /**
     * @return bytes this thread allocated in one look-up of {@code pid} (the look-up warmed first): 0 for a look-up
     * that reads a kept file, hundreds for one that opens the file by name.
     */
    private static long lookUpAllocation(final long pid)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final long threadId = Thread.currentThread().getId();
        final long start = threads.getThreadAllocatedBytes(threadId);
        final long overhead = threads.getThreadAllocatedBytes(threadId) - start;
        final long before = threads.getThreadAllocatedBytes(threadId);
        final long status = ProcessIdentity.status(pid);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before - overhead;
        assertTrue(status > 0);
        return allocated;
    }

    /**
     * @return how many of this process's open files are {@code /proc/<pid>/stat}.
     */
    private static long keptStatFiles(final long pid) throws java.io.IOException
    {
        final Path stat = Path.of("/proc/" + pid + "/stat");
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.filter(fd ->
            {
                try
                {
                    return stat.equals(Files.readSymbolicLink(fd));
                }
                catch (final java.io.IOException ex)
                {
                    return false; // the listing's own descriptor, closed by now
                }
            }).count();
        }
    }

    @Test
    void shouldStampAChildProcessAndFindItDeadOnceItExits() throws Exception
    {
        needStamps();
        final Process child = new ProcessBuilder("sleep", "60").start();
        try
        {
            final long status = ProcessIdentity.status(child.pid());
            assertTrue(status > 0, "the child's start stamp");
            final long word = ProcessIdentity.of(child.pid(), status);
            assertFalse(ProcessIdentity.isAlive(ProcessIdentity.of(child.pid(), otherStamp(status))),
                "its pid with another stamp");
            assertTrue(ProcessIdentity.isAlive(word)); // the last verdict on this pid: kept

            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            final long exitedNs = System.nanoTime();
            assertEquals(ProcessIdentity.EXITED, ProcessIdentity.status(child.pid()), "exited and reaped");
            assertEquals(ProcessIdentity.DEAD, ProcessIdentity.lookUp(word, ProcessIdentity.status(child.pid())));
            // the verdict "alive" is kept at most the documented 10 ms: once they have passed, dead
            TimeUnit.NANOSECONDS.sleep(DOCUMENTED_TTL_NS - (System.nanoTime() - exitedNs) + 1_000_000);
            assertFalse(ProcessIdentity.isAlive(word), "still alive more than 10 ms after it exited");
        }
        finally
        {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldRefuseALiveHoldersRoleButTakeTheRoleOfOneWhosePidWasReused() throws Exception
    {
        needStamps();
        final java.util.Optional<ProcessHandle> parentHandle = ProcessHandle.current().parent();
        assumeTrue(parentHandle.isPresent(), "no parent process");
        final long parentPid = parentHandle.get().pid();
        final long parent = ProcessIdentity.status(parentPid);
        assertTrue(parent > 0, "the parent's start stamp");
        try (ChannelFile file = ChannelFile.create(dir, "roles", ChannelOptions.defaults()
            .kind(RingKind.SPSC).capacity(4096)))
        {
            final SpscRing ring = (SpscRing)file.ring();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[8]);

            file.headerBuffer().putLongVolatile(CONSUMER_PID_OFFSET, ProcessIdentity.of(parentPid, parent));
            final IllegalStateException live = assertThrows(IllegalStateException.class,
                () -> ring.read((t, b, o, l) -> { }, 1));
            assertTrue(live.getMessage().startsWith("channel already has a live consumer pid=" + parentPid +
                " (start stamp " + parent + ")"), live.getMessage());

            file.headerBuffer().putLongVolatile(PRODUCER_PID_OFFSET, reusedPid());
            assertTrue(ring.offer(1, body, 0, 8), "the producer role of a dead holder whose pid was reused");
            assertEquals(ProcessIdentity.current(), file.headerBuffer().getLongVolatile(PRODUCER_PID_OFFSET));

            file.headerBuffer().putLongVolatile(CONSUMER_PID_OFFSET, reusedPid());
            assertEquals(1, ring.read((t, b, o, l) -> { }, 1));
            assertEquals(ProcessIdentity.current(), file.headerBuffer().getLongVolatile(CONSUMER_PID_OFFSET));
        }
    }

    /**
     * A word of this process's own pid with another stamp, or none, is a dead predecessor's (a restarted container's
     * pid 1): both roles take it over.
     */
    @Test
    void shouldTakeOverARoleWordOfThisPidWithAnotherStampOrNone() throws Exception
    {
        needStamps();
        final long self = ProcessHandle.current().pid();
        final long predecessor = ProcessIdentity.of(self, otherStamp(ProcessIdentity.stamp(ProcessIdentity.current())));
        for (final long word : new long[] {predecessor, self})
        {
            try (ChannelFile file = ChannelFile.create(dir, "own-" + word, ChannelOptions.defaults()
                .kind(RingKind.SPSC).capacity(4096)))
            {
                final SpscRing ring = (SpscRing)file.ring();
                file.headerBuffer().putLongVolatile(PRODUCER_PID_OFFSET, word);
                file.headerBuffer().putLongVolatile(CONSUMER_PID_OFFSET, word);
                assertTrue(ring.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));
                assertEquals(1, ring.read((t, b, o, l) -> { }, 1));
                assertEquals(ProcessIdentity.current(), file.headerBuffer().getLongVolatile(PRODUCER_PID_OFFSET));
                assertEquals(ProcessIdentity.current(), file.headerBuffer().getLongVolatile(CONSUMER_PID_OFFSET));
            }
        }
    }

    /**
     * "Dead" skips claims and takes roles, so it is never answered on a guess: a look-up that cannot read /proc
     * answers alive, and that verdict is kept as any is: not asked again before the documented 10 ms, asked again at
     * 10 ms (the times given, not slept).
     */
    @Test
    void shouldTakeAWordWhoseLookUpCannotAnswerForAliveAndKeepThatVerdict()
    {
        // a pid no test touches, out of the range the kernel hands out on this machine, with a stamp
        final long word = ProcessIdentity.of(Integer.MAX_VALUE - 7, 12345);
        final int[] lookUps = {0};
        final LongUnaryOperator exited = pid ->
        {
            lookUps[0]++;
            return ProcessIdentity.EXITED;
        };
        final long startNs = System.nanoTime();
        assertTrue(ProcessIdentity.isAlive(word, pid ->
        {
            lookUps[0]++;
            return ProcessIdentity.UNREADABLE;
        }, startNs));
        assertTrue(ProcessIdentity.isAlive(word, exited, startNs + DOCUMENTED_TTL_NS - 1), "the verdict kept");
        assertEquals(1, lookUps[0]);
        assertFalse(ProcessIdentity.isAlive(word, exited, startNs + DOCUMENTED_TTL_NS), "asked again at 10 ms");
        assertEquals(2, lookUps[0]);
        assertEquals(ProcessIdentity.UNKNOWN, ProcessIdentity.lookUp(word, ProcessIdentity.UNREADABLE));
        assertEquals(ProcessIdentity.DEAD, ProcessIdentity.lookUp(word, ProcessIdentity.EXITED));
        assertEquals(ProcessIdentity.DEAD, ProcessIdentity.lookUp(word, 54321), "another stamp");
        assertEquals(ProcessIdentity.ALIVE, ProcessIdentity.lookUp(word, 12345));
    }

    /**
     * No /proc file kept for the pid once the last channel file has closed. Only a test whose own close was the last
     * can tell: with channel files of other tests still open (a leak), the check is skipped, visibly.
     */
    private static void assertNoKeptFiles(final long pid, final int othersOpen, final String when)
        throws IOException
    {
        assumeTrue(0 == othersOpen, othersOpen + " channel files of other tests open: this close was not the last");
        assertEquals(0, keptStatFiles(pid), "kept /proc files " + when);
    }
}
