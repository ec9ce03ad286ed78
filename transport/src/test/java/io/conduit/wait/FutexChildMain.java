package io.conduit.wait;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link FutexCrossProcessTest}: maps the shared file, announces itself as a futex waiter, sleeps until
 * the parent publishes the flag and signals, and reports how it ended in its exit code.
 */
public final class FutexChildMain
{
    static final int FILE_LENGTH = 4096;
    static final int FLAG_OFFSET = 0;
    static final int FUTEX_WORD_OFFSET = 128;
    static final int WAITERS_COUNT_OFFSET = 132;

    static final int EXIT_WOKEN = 0;
    static final int EXIT_TIMED_OUT = 2;
    static final int EXIT_OTHER = 3;
    static final int EXIT_USAGE = 64;

    private FutexChildMain()
    {
    }

    /**
     * Entry point.
     *
     * @param args the shared file and the timeout in milliseconds.
     */
    public static void main(final String[] args)
    {
        if (2 != args.length)
        {
            System.err.println("usage: FutexChildMain <file> <timeoutMs>");
            System.exit(EXIT_USAGE);
        }

        final File file = new File(args[0]);
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "futex child");
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);

        // Load JNA before announcing, so the parent waits for the futex(2) call only, not for the library to load.
        System.out.println("child: native=" + Futex.isNative() + " reason=" + Futex.unavailableReason());

        final FutexWaiter waiter = new FutexWaiter(buffer, FUTEX_WORD_OFFSET, WAITERS_COUNT_OFFSET);
        final int status = waiter.await(() -> 1 == buffer.getIntAcquire(FLAG_OFFSET), timeoutNs);
        final int flag = buffer.getIntAcquire(FLAG_OFFSET);
        System.out.println("child: status=" + Futex.statusName(status) + " flag=" + flag);
        System.out.flush();

        final int exitCode;
        if (Futex.WOKEN == status && 1 == flag)
        {
            exitCode = EXIT_WOKEN;
        }
        else if (Futex.TIMED_OUT == status)
        {
            exitCode = EXIT_TIMED_OUT;
        }
        else
        {
            exitCode = EXIT_OTHER;
        }

        IoUtil.unmap(mapped);
        System.exit(exitCode);
    }
}
