package io.conduit.wait;

import java.lang.invoke.VarHandle;

/**
 * A StoreLoad fence split unevenly between a hot side that pays nothing and a cold side that pays a system call,
 * through Linux's {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)}.
 * <p>
 * The futex protocol needs a StoreLoad fence on both sides: the sleeper between announcing itself and re-checking
 * the ring, the producer between publishing a record and reading the waiters count. The producer runs per message,
 * the sleeper only before a sleep, so the sleeper takes both: a process that will publish registers once with
 * {@link #registerLightSide()}; a sleeper calls {@link #heavy()}, which makes the kernel interrupt every CPU now
 * running a thread of a registered process and execute a full barrier there. A producer's publish is then either
 * visible to the sleeper's re-check, or its later load of the waiters count sees the announcement; its own code has
 * only a compiler-ordered load after its release store.
 * <p>
 * Where membarrier is missing (not Linux, an old kernel, no JNA), or {@code conduit.wait.membarrier.disabled} is
 * true, {@link #registerLightSide()} returns false and the producer issues the fence itself ({@link #light(boolean)}
 * with {@code true}). The heavy side always uses membarrier where the kernel has it, whatever the property says, so
 * processes that did register stay covered.
 * <p>
 * Threading: any thread. Memory ordering: {@link #heavy()} → a full barrier on every CPU running a registered
 * process, then on this thread; {@link #light(boolean)} → a full fence only if the process is not registered.
 */
public final class AsymmetricFence
{
    static final long MEMBARRIER_CMD_QUERY = 0;
    static final long MEMBARRIER_CMD_GLOBAL_EXPEDITED = 2;
    static final long MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 4;
    static final String DISABLED_PROP_NAME = "conduit.wait.membarrier.disabled";

    private static final boolean HEAVY_AVAILABLE;
    /**
     * True where this process cannot run the heavy fence but another process on the machine might have registered
     * as a light side: Linux, and libc not bound here or the query refused (a seccomp profile, or a kernel built
     * without membarrier, which answers alike); not where the kernel answered with a command mask that lacks the
     * expedited global membarrier, nor off Linux, where no process can register.
     */
    private static final boolean LIGHT_SIDES_UNSEEN;
    private static volatile int registered; // 0 unknown, 1 registered, -1 failed

    static
    {
        boolean available = false;
        boolean unseen = System.getProperty("os.name", "").startsWith("Linux");
        if (LibC.AVAILABLE && 0 != LibC.SYS_MEMBARRIER)
        {
            final long commands = LibC.syscall(LibC.SYS_MEMBARRIER, MEMBARRIER_CMD_QUERY, 0, 0, 0, 0, 0);
            available = commands > 0 && 0 != (commands & MEMBARRIER_CMD_GLOBAL_EXPEDITED) &&
                0 != (commands & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED);
            unseen = unseen && commands < 0; // the kernel answered: what it lacks, no process has
        }
        HEAVY_AVAILABLE = available;
        LIGHT_SIDES_UNSEEN = !available && unseen;
    }

    private AsymmetricFence()
    {
    }

    /**
     * @return true if this machine has the expedited global membarrier.
     */
    public static boolean isAvailable()
    {
        return HEAVY_AVAILABLE;
    }

    /**
     * @return true if a sleeper here must bound its sleeps: it cannot run the heavy fence, yet a waker in another
     * process may have registered as a light side and skip its own fence (see
     * {@link FutexWaiter#LIGHT_SLEEPER_MAX_SLEEP_NS}).
     */
    public static boolean mustBoundSleeps()
    {
        return LIGHT_SIDES_UNSEEN;
    }

    /**
     * Register this process as one whose threads may skip the fence. Idempotent; one system call per process.
     *
     * @return true if registered: pass {@code false} to {@link #light(boolean)} from now on.
     */
    public static boolean registerLightSide()
    {
        int state = registered;
        if (0 == state)
        {
            synchronized (AsymmetricFence.class)
            {
                state = registered;
                if (0 == state)
                {
                    state = HEAVY_AVAILABLE && !Boolean.getBoolean(DISABLED_PROP_NAME) && 0 == LibC.syscall(
                        LibC.SYS_MEMBARRIER, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0, 0, 0, 0) ? 1 : -1;
                    registered = state;
                }
            }
        }
        return 1 == state;
    }

    /**
     * The hot side: nothing if this process is registered, else a full fence.
     *
     * @param fence true if this process could not register.
     */
    public static void light(final boolean fence)
    {
        if (fence)
        {
            VarHandle.fullFence();
        }
    }

    /**
     * The cold side: a full barrier on every CPU running a registered process's thread, then a full fence here.
     * A system call of a few microseconds where available; a full fence alone otherwise, which is enough because
     * then no producer is registered and each fences itself.
     */
    public static void heavy()
    {
        if (HEAVY_AVAILABLE)
        {
            final long result = LibC.syscall(LibC.SYS_MEMBARRIER, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0, 0, 0, 0);
            if (0 != result)
            {
                throw new IllegalStateException("membarrier(GLOBAL_EXPEDITED) failed: result=" + result +
                    " errno=" + com.sun.jna.Native.getLastError());
            }
        }
        VarHandle.fullFence();
    }
}
