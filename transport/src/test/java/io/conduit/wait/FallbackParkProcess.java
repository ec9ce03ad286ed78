package io.conduit.wait;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Child JVM of {@link FutexTest#shouldKeepTheFallbacksParkOnAHugeMaximum}, started with the fallback's park bounds as
 * properties (read once, when {@link Futex} is initialised): a thread waits on the park/poll fallback, is woken early
 * a few times, then waits a second; prints its CPU time over that second as {@code cpuMs=N}, then ends the wait.
 */
public final class FallbackParkProcess
{
    private FallbackParkProcess()
    {
    }

    /**
     * @param args none.
     * @throws Exception if interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final UnsafeBuffer word = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final Thread waiter = new Thread(() -> Futex.fallbackWait(word, 0, 0, Long.MAX_VALUE));
        waiter.setDaemon(true);
        waiter.start();
        Thread.sleep(200);
        for (int i = 0; i < 8; i++)
        {
            LockSupport.unpark(waiter); // early wake-ups: each doubles the next park
            Thread.sleep(2);
        }
        Thread.sleep(100);
        final long beforeNs = CpuClock.threadCpuTimeNs(waiter);
        Thread.sleep(1000);
        final long afterNs = CpuClock.threadCpuTimeNs(waiter);
        // the readings themselves too: an unavailable clock (-1 twice) or a waiter gone would read 0 ms
        System.out.println("beforeNs=" + beforeNs + " afterNs=" + afterNs + " alive=" + waiter.isAlive() +
            " cpuMs=" + (afterNs - beforeNs) / 1_000_000);
        word.putIntVolatile(0, 1);
        LockSupport.unpark(waiter);
        waiter.join(5000);
    }
}
