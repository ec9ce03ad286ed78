package io.conduit.wait;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FutexTest
{
    private static final int FILE_LENGTH = 4096;
    private static final int WORD_OFFSET = 128;
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long LONG_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path tempDir;

    private MappedByteBuffer mapped;
    private UnsafeBuffer buffer;

    @BeforeEach
    void setUp()
    {
        final File file = tempDir.resolve("futex.dat").toFile();
        mapped = IoUtil.mapNewFile(file, FILE_LENGTH);
        buffer = new UnsafeBuffer(mapped);
    }

    @AfterEach
    void tearDown()
    {
        IoUtil.unmap(mapped);
    }

    @Test
    void shouldUseNativeFutexOnLinuxX86OrAarch64()
    {
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        final String arch = System.getProperty("os.arch", "");
        final boolean supported = os.startsWith("linux") &&
            ("amd64".equals(arch) || "x86_64".equals(arch) || "aarch64".equals(arch));

        if (supported && !Boolean.getBoolean(Futex.DISABLED_PROP_NAME))
        {
            assertTrue(Futex.isNative(), () -> "native futex unavailable: " + Futex.unavailableReason());
            assertEquals(null, Futex.unavailableReason());
        }
        else
        {
            assertFalse(Futex.isNative());
            assertTrue(null != Futex.unavailableReason());
        }
    }

    @Test
    void shouldReturnValueChangedAtOnceWhenWordDiffers()
    {
        buffer.putIntVolatile(WORD_OFFSET, 7);

        final long startNs = System.nanoTime();
        final int status = Futex.wait(buffer, WORD_OFFSET, 8, LONG_TIMEOUT_NS);
        final long elapsedNs = System.nanoTime() - startNs;

        assertEquals(Futex.VALUE_CHANGED, status, Futex.statusName(status));
        assertTrue(elapsedNs < TimeUnit.SECONDS.toNanos(2), "elapsedNs=" + elapsedNs);
    }

    @Test
    void shouldTimeOutAfterAtLeastTheTimeout()
    {
        final long startNs = System.nanoTime();
        final int status = Futex.wait(buffer, WORD_OFFSET, 0, TIMEOUT_NS);
        final long elapsedNs = System.nanoTime() - startNs;

        assertEquals(Futex.TIMED_OUT, status, Futex.statusName(status));
        assertTrue(elapsedNs >= TIMEOUT_NS - TimeUnit.MILLISECONDS.toNanos(1), "elapsedNs=" + elapsedNs);
        assertTrue(elapsedNs < TimeUnit.SECONDS.toNanos(5), "elapsedNs=" + elapsedNs);
    }

    @Test
    void shouldNotSleepWhenTimeoutIsNotPositive()
    {
        assertEquals(Futex.TIMED_OUT, Futex.wait(buffer, WORD_OFFSET, 0, 0));
        assertEquals(Futex.TIMED_OUT, Futex.wait(buffer, WORD_OFFSET, 0, -1));
        assertEquals(Futex.VALUE_CHANGED, Futex.wait(buffer, WORD_OFFSET, 1, 0));
    }

    @Test
    void shouldWakeWaiterThreadOverMappedFile() throws InterruptedException
    {
        final AtomicInteger status = new AtomicInteger(Integer.MIN_VALUE);
        final Thread waiter = new Thread(() -> status.set(Futex.wait(buffer, WORD_OFFSET, 0, LONG_TIMEOUT_NS)));
        waiter.start();

        if (Futex.isNative())
        {
            // Wake without changing the word: only a thread really asleep in the kernel is counted.
            final long deadlineNs = System.nanoTime() + LONG_TIMEOUT_NS;
            int woken = 0;
            while (0 == woken && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(1);
                woken = Futex.wake(buffer, WORD_OFFSET, 1);
            }
            assertEquals(1, woken);
        }
        else
        {
            // The fallback parks between polls: change the word once the waiter is parked, then wake (a no-op).
            while (Thread.State.TIMED_WAITING != waiter.getState() && waiter.isAlive())
            {
                Thread.sleep(1);
            }
            buffer.getAndAddInt(WORD_OFFSET, 1);
            assertEquals(0, Futex.wake(buffer, WORD_OFFSET, 1));
        }

        waiter.join(TimeUnit.NANOSECONDS.toMillis(LONG_TIMEOUT_NS));
        assertFalse(waiter.isAlive());
        assertEquals(Futex.WOKEN, status.get(), Futex.statusName(status.get()));
    }

    @Test
    void shouldWakeNobodyWhenNobodySleeps()
    {
        assertEquals(0, Futex.wake(buffer, WORD_OFFSET, Integer.MAX_VALUE));
    }

    @Test
    void shouldReturnInterruptedWhenThreadIsInterrupted()
    {
        Thread.currentThread().interrupt();
        try
        {
            assertEquals(Futex.INTERRUPTED, Futex.wait(buffer, WORD_OFFSET, 0, LONG_TIMEOUT_NS));
            assertTrue(Thread.currentThread().isInterrupted(), "interrupt flag must be left set");
        }
        finally
        {
            Thread.interrupted();
        }
    }

    @Test
    void shouldWaitWithOwnSleeper()
    {
        final Futex.Sleeper sleeper = new Futex.Sleeper();

        assertEquals(Futex.VALUE_CHANGED, sleeper.wait(buffer, WORD_OFFSET, 1, LONG_TIMEOUT_NS));
        assertEquals(Futex.TIMED_OUT, sleeper.wait(buffer, WORD_OFFSET, 0, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    /**
     * Two threads asleep through one sleeper at once (a channel's MPSC senders share one): each sleeps its own
     * timeout. The short sleeper stores its 20 ms and stops before its system call until the long one has stored its
     * 10 s; with one timespec between them it then slept the long one's 10 s (a send overrunning its timeout by up to
     * the channel's longest sleep). It must time out well within that.
     */
    @Test
    void shouldKeepEachThreadsTimeoutWhenThreadsShareASleeper() throws Exception
    {
        assumeTrue(Futex.isNative());
        final Futex.Sleeper sleeper = new Futex.Sleeper();
        final CountDownLatch shortStored = new CountDownLatch(1);
        final CountDownLatch longStored = new CountDownLatch(1);
        final AtomicReference<Thread> shortSleeper = new AtomicReference<>();
        sleeper.beforeSleepHook = () ->
        {
            if (Thread.currentThread() == shortSleeper.get())
            {
                shortStored.countDown();
                try
                {
                    assertTrue(longStored.await(10, TimeUnit.SECONDS));
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
            else
            {
                longStored.countDown();
            }
        };
        final AtomicInteger shortStatus = new AtomicInteger();
        final AtomicLong shortSleptNs = new AtomicLong();
        final Thread shortThread = new Thread(() ->
        {
            final long startNs = System.nanoTime();
            shortStatus.set(sleeper.wait(buffer, WORD_OFFSET, 0, TimeUnit.MILLISECONDS.toNanos(20)));
            shortSleptNs.set(System.nanoTime() - startNs);
        });
        shortSleeper.set(shortThread);
        final AtomicInteger longStatus = new AtomicInteger();
        final Thread longThread =
            new Thread(() -> longStatus.set(sleeper.wait(buffer, WORD_OFFSET, 0, LONG_TIMEOUT_NS)));

        shortThread.start();
        assertTrue(shortStored.await(10, TimeUnit.SECONDS));
        longThread.start();
        shortThread.join(LONG_TIMEOUT_NS / 1_000_000 + 5_000);
        assertFalse(shortThread.isAlive());
        assertEquals(Futex.TIMED_OUT, shortStatus.get(), Futex.statusName(shortStatus.get()));
        assertTrue(shortSleptNs.get() < TimeUnit.SECONDS.toNanos(5), "slept " + shortSleptNs.get() + " ns");

        buffer.putIntVolatile(WORD_OFFSET, 1);
        Futex.wake(buffer, WORD_OFFSET, Integer.MAX_VALUE);
        longThread.join(LONG_TIMEOUT_NS / 1_000_000 + 5_000);
        assertFalse(longThread.isAlive());
        assertTrue(Futex.WOKEN == longStatus.get() || Futex.VALUE_CHANGED == longStatus.get(),
            Futex.statusName(longStatus.get()));
    }

    /**
     * The fallback's park doubles after each early wake-up up to its maximum: with a maximum past 2^62 the doubling
     * shift overflowed to a park of 0, and the waiter then spun (999 ms of CPU in a second of waiting in the review's
     * run). In a child JVM whose first park is 2^62 ns and maximum Long.MAX_VALUE, a waiter woken early 8 times must
     * still sleep: well under half a second of CPU in a second of waiting.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepTheFallbacksParkOnAHugeMaximum() throws Exception
    {
        final Path log = tempDir.resolve("fallback-park.log");
        final Process child = io.conduit.TestJvm.start(FallbackParkProcess.class, log, new String[] {
            "-D" + Futex.DISABLED_PROP_NAME + "=true",
            "-D" + Futex.FALLBACK_MIN_PARK_NS_PROP_NAME + "=4611686018427387904",
            "-D" + Futex.FALLBACK_MAX_PARK_NS_PROP_NAME + "=9223372036854775807"});
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child still running");
        final String output = java.nio.file.Files.readString(log);
        assertEquals(0, child.exitValue(), output);
        final java.util.regex.Matcher cpu = java.util.regex.Pattern.compile("cpuMs=(-?[0-9]+)").matcher(output);
        assertTrue(cpu.find(), output);
        final long cpuMs = Long.parseLong(cpu.group(1));
        assertTrue(output.contains(" alive=true "), "the waiter must still be waiting when measured: " + output);
        assertFalse(output.contains("beforeNs=-1 ") || output.contains("afterNs=-1 "),
            "the waiter's CPU clock must be readable: " + output);
        assertTrue(cpuMs >= 0 && cpuMs < 500, "the waiter used " + cpuMs + " ms of CPU in 1 s of waiting: " + output);
    }

    @Test
    void shouldRejectMisalignedOffset()
    {
        final IllegalArgumentException waitEx = assertThrows(
            IllegalArgumentException.class, () -> Futex.wait(buffer, WORD_OFFSET + 2, 0, TIMEOUT_NS));
        final IllegalArgumentException wakeEx = assertThrows(
            IllegalArgumentException.class, () -> Futex.wake(buffer, WORD_OFFSET + 1, 1));

        assertTrue(waitEx.getMessage().contains("offset=" + (WORD_OFFSET + 2)), waitEx.getMessage());
        assertTrue(waitEx.getMessage().contains("aligned"), waitEx.getMessage());
        assertTrue(wakeEx.getMessage().contains("offset=" + (WORD_OFFSET + 1)), wakeEx.getMessage());
    }

    @Test
    void shouldRejectMisalignedAddressOfSlicedBuffer()
    {
        final UnsafeBuffer slice = new UnsafeBuffer(buffer, 2, 64);

        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> Futex.wake(slice, 0, 1));

        assertTrue(ex.getMessage().contains("address=0x"), ex.getMessage());
    }

    @Test
    void shouldRejectOffsetOutOfRange()
    {
        final IllegalArgumentException pastEnd = assertThrows(
            IllegalArgumentException.class, () -> Futex.wait(buffer, FILE_LENGTH - 2, 0, TIMEOUT_NS));
        final IllegalArgumentException negative = assertThrows(
            IllegalArgumentException.class, () -> Futex.wake(buffer, -4, 1));

        assertTrue(pastEnd.getMessage().contains("offset=" + (FILE_LENGTH - 2)), pastEnd.getMessage());
        assertTrue(pastEnd.getMessage().contains("capacity=" + FILE_LENGTH), pastEnd.getMessage());
        assertTrue(negative.getMessage().contains("offset=-4"), negative.getMessage());
    }

    @Test
    void shouldRejectOnHeapBuffer()
    {
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[64]);

        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> Futex.wait(heap, 0, 0, TIMEOUT_NS));

        assertTrue(ex.getMessage().contains("off-heap"), ex.getMessage());
    }

    @Test
    void shouldRejectNonPositiveWakeCount()
    {
        assertThrows(IllegalArgumentException.class, () -> Futex.wake(buffer, WORD_OFFSET, 0));
    }

    @Test
    void shouldNameStatuses()
    {
        assertEquals("WOKEN", Futex.statusName(Futex.WOKEN));
        assertEquals("VALUE_CHANGED", Futex.statusName(Futex.VALUE_CHANGED));
        assertEquals("TIMED_OUT", Futex.statusName(Futex.TIMED_OUT));
        assertEquals("INTERRUPTED", Futex.statusName(Futex.INTERRUPTED));
        assertEquals("UNKNOWN(42)", Futex.statusName(42));
    }

    @Test
    void shouldFallbackReturnValueChangedWhenWordDiffers()
    {
        assertEquals(Futex.VALUE_CHANGED, Futex.fallbackWait(buffer, WORD_OFFSET, 1, LONG_TIMEOUT_NS));
    }

    @Test
    void shouldFallbackTimeOutAfterAtLeastTheTimeout()
    {
        final long startNs = System.nanoTime();
        final int status = Futex.fallbackWait(buffer, WORD_OFFSET, 0, TIMEOUT_NS);
        final long elapsedNs = System.nanoTime() - startNs;

        assertEquals(Futex.TIMED_OUT, status, Futex.statusName(status));
        assertTrue(elapsedNs >= TIMEOUT_NS, "elapsedNs=" + elapsedNs);
        assertEquals(Futex.TIMED_OUT, Futex.fallbackWait(buffer, WORD_OFFSET, 0, 0));
    }

    @Test
    void shouldFallbackReturnWokenWhenWordChanges() throws InterruptedException
    {
        final AtomicInteger status = new AtomicInteger(Integer.MIN_VALUE);
        final Thread waiter = new Thread(
            () -> status.set(Futex.fallbackWait(buffer, WORD_OFFSET, 0, Futex.NO_TIMEOUT)));
        waiter.start();

        while (Thread.State.TIMED_WAITING != waiter.getState() && waiter.isAlive())
        {
            Thread.sleep(1);
        }
        buffer.getAndAddInt(WORD_OFFSET, 1);

        waiter.join(TimeUnit.NANOSECONDS.toMillis(LONG_TIMEOUT_NS));
        assertFalse(waiter.isAlive());
        assertEquals(Futex.WOKEN, status.get(), Futex.statusName(status.get()));
    }

    @Test
    void shouldFallbackReturnInterruptedWhenThreadIsInterrupted()
    {
        Thread.currentThread().interrupt();
        try
        {
            assertEquals(Futex.INTERRUPTED, Futex.fallbackWait(buffer, WORD_OFFSET, 0, LONG_TIMEOUT_NS));
        }
        finally
        {
            Thread.interrupted();
        }
    }

    @Test
    void shouldAcceptDirectMemoryBuffer()
    {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(64));

        assertEquals(0, Futex.wake(direct, 0, 1));
        assertEquals(Futex.VALUE_CHANGED, Futex.wait(direct, 4, 1, TIMEOUT_NS));
    }
}
